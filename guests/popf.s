; popf.s — why classic x86 could not be virtualized by trap-and-emulate.
;
; A bare-machine program (no kernel under it): it boots at ring 0, sets up
; an IDT and a TSS, and drops to ring 1 — where a virtual machine monitor
; would run a guest kernel. There it tries to turn interrupts off two ways:
;
;   popf  with IF cleared in the popped value. At CPL 1 > IOPL 0 the CPU
;         silently keeps IF as it was — and does not trap. A VMM running
;         this kernel never hears of it: the guest thinks interrupts are off,
;         they are not. (Popek & Goldberg: a sensitive instruction that is
;         not privileged.)
;   cli   the honest way. At CPL 1 > IOPL 0 it raises #GP: a VMM would get
;         control here and could emulate it.
;
; To learn the real IF, ring 1 asks ring 0 with `int 0x81`: the CPU pushes
; ring 1's flags on ring 0's stack, and the handler prints the IF bit.
;
;   ringlab run popf                popf is silently ignored: no trap
;   ringlab run popf --isa strict   every sensitive instruction traps

.include "include/machine.inc"

VEC_REPORT = 0x81                   ; ring 1 → ring 0: "what is my IF?"
VEC_EXIT = 0x82                     ; ring 1 → ring 0: "power off"
VEC_PRINT = 0x83                    ; ring 1 → ring 0: "print the string at r1"
                                    ; (ring 1 cannot use `out` itself: CPL 1 > IOPL 0)

.org 0x1000
_start:
    mov sp, stack0_top
    mov r1, VEC_GP
    mov r2, on_gp
    mov r3, GATE_INTR_RING0
    call set_gate
    mov r1, VEC_REPORT
    mov r2, on_report
    mov r3, GATE_TRAP_RING1
    call set_gate
    mov r1, VEC_EXIT
    mov r2, on_exit
    call set_gate
    mov r1, VEC_PRINT
    mov r2, on_print
    call set_gate
    lidt [idt_descriptor]
    mov r1, stack0_top              ; the stack ring 0 uses when ring 1 traps
    st [tss + TSS_SP0], r1
    mov r1, tss
    ltr r1

    mov r1, msg_start
    call print
    push stack1_top                 ; iret to ring 1: sp, flags, cs, pc
    push FLAGS_IF | FLAGS_ONE       ; IF = 1, IOPL = 0
    push SEL_RING1
    push ring1
    iret

; ─── ring 1: the "guest kernel" ─────────────────────────────────────────
ring1:
    int VEC_REPORT                  ; IF = 1 now
    mov r1, msg_popf
    int VEC_PRINT
    pushf                           ; flags, with IF = 1
    pop r1
    and r1, r1, ~FLAGS_IF           ; clear IF in the copy …
    push r1
    popf                            ; … and load it: at ring 1 this is ignored
    int VEC_REPORT                  ; the real IF is still 1
    mov r1, msg_cli
    int VEC_PRINT
    cli                             ; the honest way: traps with #GP
    int VEC_REPORT
    int VEC_EXIT

; ─── ring 0: handlers ───────────────────────────────────────────────────
on_report:                          ; frame: pc, cs, flags, sp (from ring 1)
    push r1
    push r2
    mov r1, msg_if
    call print
    ld r2, [sp + 16]                ; ring 1's flags as the CPU saw them
    mov r1, msg_one
    test r2, FLAGS_IF
    jne .print
    mov r1, msg_zero
.print:
    call print
    pop r2
    pop r1
    iret

on_print:                           ; r1 = string from ring 1
    push r2
    call print
    pop r2
    iret

on_gp:                              ; frame: error code, pc, cs, flags, sp
    push r1
    push r2
    mov r1, msg_gp
    call print
    ld r2, [sp + 12]                ; the faulting pc
    ldb r2, [r2]                    ; its opcode byte
    mov r1, msg_popf_trapped
    cmp r2, 0x71                    ; popf
    je .say
    mov r1, msg_pushf_trapped
    cmp r2, 0x70                    ; pushf
    je .say
    mov r1, msg_cli_trapped
    cmp r2, 0x61                    ; cli
    je .say
    mov r1, msg_other_trapped
.say:
    call print
    ld r2, [sp + 12]                ; skip the instruction, as a VMM that emulated it would
    add r2, r2, 8
    st [sp + 12], r2
    pop r2
    pop r1
    add sp, sp, 4                   ; drop the error code
    iret

on_exit:
    mov r1, msg_done
    call print
    mov r1, 0
    out PORT_DEBUG_EXIT, r1
    cli
    hlt

set_gate:                           ; r1 = vector, r2 = handler, r3 = attributes
    shl r4, r1, 3
    add r4, r4, idt
    st [r4], r2
    st [r4 + 4], r3
    ret

print:                              ; r1 = zero-terminated string (ring 0 only: uses out)
    ldb r2, [r1]
    cmp r2, 0
    je .done
    out PORT_COM1, r2
    add r1, r1, 1
    jmp print
.done:
    ret

msg_start:  .asciz "ring 0: going to ring 1 with IF=1, IOPL=0\n"
msg_popf:   .asciz "ring 1: popf with IF cleared in the popped value\n"
msg_cli:    .asciz "ring 1: cli\n"
msg_if:     .asciz "ring 0: ring 1's real IF = "
msg_one:    .asciz "1\n"
msg_zero:   .asciz "0\n"
msg_gp:     .asciz "ring 0: #GP from ring 1: "
msg_popf_trapped: .asciz "popf trapped (a VMM could emulate it)\n"
msg_pushf_trapped: .asciz "pushf trapped (a VMM could show the guest its virtual IF)\n"
msg_cli_trapped:  .asciz "cli trapped (CPL 1 > IOPL 0)\n"
msg_other_trapped: .asciz "another instruction trapped\n"
msg_done:   .asciz "ring 0: done\n"

.align 4
idt_descriptor:
    .word 256 * 8 - 1
    .word idt
idt:        .space 256 * 8
tss:        .space 104
.align 16
            .space 1024
stack0_top:
            .space 1024
stack1_top:
