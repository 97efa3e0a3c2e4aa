; idle-ticks.s — a bare guest kernel that waits the way kernels wait: it
; starts a 1 ms timer, then sleeps with `hlt` until each tick wakes it, three
; times; then it looks for a hypervisor with `vmcall` (a Xen-style
; xen_version hypercall) and, finding none, takes the #UD a bare machine
; raises. Under hardware assist each `hlt` is a HLT exit, each host timer
; tick an EXTERNAL_INTERRUPT exit, each `out` an IO_INSTRUCTION exit and the
; `vmcall` a VMCALL exit (lesson 6).
;
;   run idle-ticks
;   vm create h idle-ticks --technique hardware-assist

.include "include/machine.inc"

TICKS       = 3
TIMER_COUNT = 1193                  ; 1 ms (1,193,182 Hz / 1000)
XEN_VERSION = 17                    ; __HYPERVISOR_xen_version

.org 0x1000
_start:
    mov sp, stack_top
    mov r1, VEC_TIMER
    mov r2, irq_timer
    call set_gate
    mov r1, VEC_UD
    mov r2, fault_ud
    call set_gate
    lidt [idt_descriptor]
    mov r1, PIT_RATE_GEN            ; IRQ0 every millisecond
    out PORT_PIT_CMD, r1
    mov r1, TIMER_COUNT & 0xFF
    out PORT_PIT_CH0, r1
    mov r1, TIMER_COUNT >> 8
    out PORT_PIT_CH0, r1
    mov r1, 0xFE                    ; unmask IRQ0 only
    out PORT_PIC_DATA, r1
    mov r1, msg_start
    call print
    mov r13, 0                      ; the ticks seen so far
    sti

.sleep:
    hlt                             ; nothing to do: sleep until an interrupt
    ld r1, [ticks]
    cmp r1, r13
    je .sleep                       ; woken by something else: sleep again
    mov r13, r1
    mov r1, msg_tick
    call print
    ld r1, [ticks]
    call print_digit
    mov r1, msg_woken
    call print
    ld r1, [ticks]
    cmp r1, TICKS
    jb .sleep

    cli
    mov r1, msg_vmcall
    call print
    mov r0, XEN_VERSION
    vmcall                          ; a hypercall, if a hypervisor is listening
    mov r1, msg_done
    call print
    mov r1, 0
    out PORT_DEBUG_EXIT, r1
    hlt

irq_timer:                          ; IRQ0: count the tick, EOI to the PIC
    push r0
    ld r0, [ticks]
    add r0, r0, 1
    st [ticks], r0
    mov r0, PIC_EOI
    out PORT_PIC_CMD, r0
    pop r0
    iret

fault_ud:                           ; #UD: say so and skip the instruction (8 bytes)
    push r1
    push r2
    mov r1, msg_ud
    call print
    ld r1, [sp + 8]                 ; the pushed pc, under r2 and r1
    add r1, r1, 8
    st [sp + 8], r1
    pop r2
    pop r1
    iret

set_gate:                           ; r1 = vector, r2 = handler: a ring-0 interrupt gate
    shl r4, r1, 3
    add r4, r4, idt
    st [r4], r2
    mov r3, GATE_INTR_RING0
    st [r4 + 4], r3
    ret

print:                              ; r1 = zero-terminated string
    ldb r2, [r1]
    cmp r2, 0
    je .done
    out PORT_COM1, r2
    add r1, r1, 1
    jmp print
.done:
    ret

print_digit:                        ; r1 = 0..9
    add r1, r1, '0'
    out PORT_COM1, r1
    ret

msg_start:  .asciz "idle-ticks: timer every 1 ms; sleeping with hlt\n"
msg_tick:   .asciz "  tick "
msg_woken:  .asciz ": woken from hlt\n"
msg_vmcall: .asciz "vmcall: is a hypervisor listening?\n"
msg_ud:     .asciz "  #UD: vmcall is an invalid opcode here (no hypercall interface)\n"
msg_done:   .asciz "idle-ticks: done\n"

.align 4
ticks:          .word 0
idt_descriptor:
    .word 256 * 8 - 1
    .word idt
idt:            .space 256 * 8
.align 16
                .space 1024
stack_top:
