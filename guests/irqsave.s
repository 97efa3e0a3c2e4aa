; irqsave.s — why trap-and-emulate cannot virtualize classic x86: a guest
; kernel that saves and restores its interrupt flag the way Linux does,
;
;     local_irq_save(flags)      pushf ; pop flags ; cli
;     … the critical section …
;     local_irq_restore(flags)   push flags ; popf
;
; and counts timer ticks. On the bare machine (ring 0) popf puts IF back
; and the ticks keep coming. Under a trap-and-emulate VMM the kernel runs in
; ring 1: `cli` traps (#GP) and the VMM turns the guest's *virtual* IF off;
; but `popf` is sensitive and NOT privileged on the classic ISA: at ring 1
; it silently leaves IF alone and does not trap, so the VMM never learns
; that the guest turned interrupts back on. The virtual IF stays 0, the VMM
; holds the timer interrupts back for ever, and the ticks stop. (`pushf`
; leaks too: after the cli it still shows the real IF = 1.)
;
;   ringlab run irqsave                                   ticks keep coming
;   ringlab run irqsave --technique trap-emulate          the ticks stop
;   ringlab run irqsave --technique trap-emulate --isa strict   popf traps: fixed
;   ringlab run irqsave --technique binary-translation    popf is translated: fine
;   ringlab run irqsave --technique hardware-assist       ring 0 in non-root: fine

.include "include/machine.inc"

ROUNDS = 3
TIMER_COUNT = 1193                  ; 1 ms (1193182 Hz / 1000)
TIMEOUT_CYCLES = 15000000           ; 5 ms at the machine's nominal 3 GHz

.org 0x1000
_start:
    mov sp, stack_top
    mov r1, VEC_TIMER
    mov r2, irq_timer
    mov r3, GATE_INTR_RING0
    call set_gate
    mov r1, VEC_GP
    mov r2, fault_gp
    call set_gate
    lidt [idt_descriptor]
    mov r1, PIT_RATE_GEN            ; the timer: IRQ0 every millisecond
    out PORT_PIT_CMD, r1
    mov r1, TIMER_COUNT & 0xFF
    out PORT_PIT_CH0, r1
    mov r1, TIMER_COUNT >> 8
    out PORT_PIT_CH0, r1
    mov r1, 0xFE                    ; unmask IRQ0 only
    out PORT_PIC_DATA, r1
    sti
    mov r1, msg_start
    call print
    call wait_for_tick              ; the timer works with interrupts on
    mov r1, msg_first
    call print

    mov r13, 1                      ; round number
.round:
    mov r1, msg_round
    call print
    mov r1, r13
    call print_digit
    mov r1, msg_round_what
    call print

    ; local_irq_save(flags)
    pushf
    pop r12                         ; flags, with IF = 1
    cli
    ; … the critical section: what a lock protects from the timer handler …
    ld r1, [shared]
    add r1, r1, 1
    st [shared], r1
    pushf                           ; what does the flags register say now?
    pop r1
    test r1, FLAGS_IF
    je .honest
    mov r1, msg_leak                ; IF = 1 after cli: pushf showed the real flags
    call print
.honest:
    ; local_irq_restore(flags)
    push r12
    popf                            ; IF back to 1 — unless this is ring 1 of a VMM

    call wait_for_tick
    mov r1, msg_tick
    call print
    add r13, r13, 1
    cmp r13, ROUNDS
    jbe .round

    mov r1, msg_done
    call print
    mov r1, 0
    out PORT_DEBUG_EXIT, r1
    cli
    hlt

wait_for_tick:                      ; spin until the tick count changes; give up after 5 ms
    ld r5, [ticks]
    rdtsc r6
.spin:
    ld r7, [ticks]
    cmp r7, r5
    jne .ticked
    rdtsc r8
    sub r8, r8, r6
    cmp r8, TIMEOUT_CYCLES
    jb .spin
    mov r1, msg_stuck               ; no tick for 5 ms: interrupts are off
    call print
    mov r1, 1
    out PORT_DEBUG_EXIT, r1
    cli
    hlt
.ticked:
    ret

irq_timer:                          ; IRQ0: count the tick, EOI to the PIC
    push r0
    ld r0, [ticks]
    add r0, r0, 1
    st [ticks], r0
    mov r0, PIC_EOI
    out PORT_PIC_CMD, r0
    pop r0
    iret

fault_gp:                           ; not expected: say where and stop
    mov r1, msg_gp
    call print
    mov r1, 2
    out PORT_DEBUG_EXIT, r1
    cli
    hlt

set_gate:                           ; r1 = vector, r2 = handler, r3 = attributes
    shl r4, r1, 3
    add r4, r4, idt
    st [r4], r2
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

msg_start:      .asciz "irqsave: timer every 1 ms, interrupts on\n"
msg_first:      .asciz "  tick (interrupts on)\n"
msg_round:      .asciz "round "
msg_round_what: .asciz ": pushf; cli; ... popf (local_irq_save/restore)\n"
msg_leak:       .asciz "  pushf after cli shows IF = 1: the real flags, not the guest's\n"
msg_tick:       .asciz "  tick (interrupts back on after popf)\n"
msg_done:       .asciz "irqsave: every popf turned interrupts back on\n"
msg_stuck:      .asciz "  no timer tick for 5 ms: interrupts are still off.\n  popf could not set IF in ring 1 and did not trap, so the VMM never saw it.\n"
msg_gp:         .asciz "irqsave: unexpected general protection fault\n"

.align 4
ticks:          .word 0
shared:         .word 0
idt_descriptor:
    .word 256 * 8 - 1
    .word idt
idt:            .space 256 * 8
.align 16
                .space 1024
stack_top:
