; syscall-loop.s — a tight loop of system calls, for measuring what one
; costs: each getpid() is a round trip ring 3 → ring 0 → ring 3.
; rdtsc (readable at ring 3 unless CR4.TSD is set) reads the cycle counter
; before and after, so the program can report the cost itself.
;
;   ringlab run syscall-loop
;   ringlab compare syscall-loop     (the same loop under each hypervisor)

.user
.include "include/syscalls.inc"

ITERATIONS = 10000

.org 0x400000
_start:
    rdtsc r13                       ; cycle counter before
    mov r14, ITERATIONS
.loop:
    mov r0, SYS_getpid
    syscall
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

msg_calls:      .asciz " getpid() system calls, "
msg_cycles:     .asciz " cycles each (rdtsc)\n"
.align 8
.include "include/ulib.inc"
