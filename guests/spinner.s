; spinner.s — a CPU spinner: it never sleeps and never makes a system call,
; so it uses all the CPU the scheduler gives it. Two spinners in cgroups
; with different cpu.weight split the CPU in that ratio; one under cpu.max
; is throttled (cpu.stat: nr_throttled, throttled_usec).
;
;   spinner        spin forever
;   spinner 5      spin 5 million rounds, then say so and exit

.user
.include "include/syscalls.inc"

.org 0x400000
_start:
    ld r13, [sp]                    ; argc
    mov r14, 0                      ; rounds (0: forever)
    cmp r13, 2
    jb .spin
    ld r1, [sp + 8]
    call parse_dec
    mul r14, r0, 1000000
.spin:
    mov r13, 0
.loop:
    add r13, r13, 1
    cmp r14, 0
    je .loop                        ; no limit: forever
    cmp r13, r14
    jb .loop
    mov r1, msg_done
    call print
    mov r1, 0
    call exit

msg_done:       .asciz "spinner: done\n"
.align 8
.include "include/ulib.inc"
.include "include/args.inc"
