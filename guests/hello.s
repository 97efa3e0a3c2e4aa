; hello.s — the smallest user program: one system call to print, one to exit.
;
; It runs at ring 3 under guests/kernel.s. It cannot touch the console
; itself (`out` needs CPL <= IOPL, and IOPL is 0), so it asks the kernel:
; put the system-call number in r0 and the arguments in r1-r3, then
; `syscall` switches the CPU to ring 0 at the kernel's entry point. The
; kernel writes the bytes to the console and `sysret` comes back to ring 3.
;
;   ringlab run hello            run it
;   ringlab run hello --trace    and see every ring transition

.user
.include "include/syscalls.inc"

.org 0x400000                       ; where user programs live (as ELF on x86-64)
_start:
    mov r0, SYS_write               ; write(1, message, length)
    mov r1, 1
    mov r2, message
    mov r3, message_length
    syscall
    mov r0, SYS_exit                ; exit(0)
    mov r1, 0
    syscall

message:        .ascii "hello from ring 3\n"
message_length = . - message
