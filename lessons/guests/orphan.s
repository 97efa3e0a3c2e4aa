; orphan.s — a parent that leaves its child behind (lesson 12).
;
; The parent forks, says which PIDs it and its child have (as its own PID
; namespace numbers them), and exits at once. The child sleeps in pause()
; until a signal ends it. With its parent gone, the kernel reparents it to
; the init (PID 1) of its PID namespace — `ps -f` shows PPID 1. When that
; init dies, the kernel kills every process left in the namespace.
;
;   orphan        then: ps -f

.user
.include "include/syscalls.inc"

.org 0x400000
_start:
    mov r0, SYS_fork
    syscall
    cmp r0, 0
    je .child
    jl .failed
    mov r13, r0                     ; the child's PID
    mov r1, msg_parent
    call print
    mov r0, SYS_getpid
    syscall
    mov r1, r0
    call print_dec
    mov r1, msg_child
    call print
    mov r1, r13
    call print_dec
    mov r1, msg_exit
    call print
    mov r1, 0
    call exit
.child:
    mov r0, SYS_pause               ; sleep until a signal (SIGKILL, SIGTERM …) ends us
    syscall
    jmp .child
.failed:
    mov r1, msg_failed
    call print
    mov r1, 1
    call exit

msg_parent:     .asciz "orphan: parent "
msg_child:      .asciz " forked child "
msg_exit:       .asciz " and exits now\n"
msg_failed:     .asciz "orphan: fork failed\n"
.align 8
.include "include/ulib.inc"
