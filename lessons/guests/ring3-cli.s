; ring3-cli.s — a user program that tries to do the kernel's job.
;
; It runs at ring 3 under guests/kernel.s and tries `cli` (turn interrupts
; off). With interrupts off the timer could never take the CPU back, so x86
; only lets code with CPL <= IOPL do it; the kernel runs ring 3 with IOPL 0.
; The CPU refuses with a general-protection fault (#GP) and enters the
; kernel, which does what Linux does to such a program: prints a "traps:"
; line and ends it (Linux would send SIGSEGV; the shell shows status 139).
;
;   run ring3-cli          then: trace

.user
.include "include/syscalls.inc"

.org 0x400000
_start:
    mov r1, msg_try
    call print
    cli                             ; privileged at CPL 3 > IOPL 0: #GP
    mov r1, msg_after               ; never reached
    call print
    mov r1, 0
    call exit

msg_try:    .asciz "ring 3: trying cli\n"
msg_after:  .asciz "ring 3: cli worked (it should not have)\n"
.align 8
.include "include/ulib.inc"
