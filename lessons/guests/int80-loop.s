; int80-loop.s — syscall-loop's twin that enters the kernel the old way.
;
; Before AMD's syscall/sysret (and Intel's sysenter/sysexit), Linux on x86
; entered the kernel with `int 0x80`: a software interrupt through the
; interrupt descriptor table, the same gate machinery as a fault, and back
; with `iret`. It still works (the kernel keeps the gate open to ring 3).
; Same loop, same getpid(), different door: compare the cycles each.
;
;   run int80-loop         and then: run syscall-loop

.user
.include "include/syscalls.inc"

ITERATIONS = 10000

.org 0x400000
_start:
    rdtsc r13                       ; cycle counter before
    mov r14, ITERATIONS
.loop:
    mov r0, SYS_getpid
    int 0x80                        ; the old door: an interrupt gate
    sub r14, r14, 1
    jne .loop
    rdtsc r5
    sub r13, r5, r13                ; cycles for the whole loop

    mov r1, ITERATIONS
    call print_dec
    mov r1, msg_calls
    call print
    mov r3, ITERATIONS
    div r1, r13, r3
    call print_dec
    mov r1, msg_cycles
    call print
    mov r1, 0
    call exit

msg_calls:      .asciz " getpid() system calls through int 0x80, "
msg_cycles:     .asciz " cycles each (rdtsc)\n"
.align 8
.include "include/ulib.inc"
