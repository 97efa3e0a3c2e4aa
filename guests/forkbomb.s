; forkbomb.s — the fork bomb: every process forks again and again, so their
; number doubles until fork() fails. With pids.max set on its cgroup, fork
; returns -EAGAIN at the limit (pids.events: max counts the refusals) and
; the machine stays usable; without a limit it runs until the kernel is out
; of PIDs or memory. A process whose fork fails says so and then waits.
;
;   forkbomb

.user
.include "include/syscalls.inc"
.include "include/linux.inc"

.org 0x400000
_start:
.again:
    mov r0, SYS_fork
    syscall
    cmp r0, 0
    je .again                       ; the child forks too …
    jl .failed
    jmp .again                      ; … and so does the parent
.failed:
    neg r13, r0                     ; errno
    mov r1, msg_fork
    call print
    mov r1, msg_eagain
    cmp r13, EAGAIN
    je .say
    mov r1, msg_enomem
    cmp r13, ENOMEM
    je .say
    mov r1, msg_other
.say:
    call print
.pause:
    mov r0, SYS_pause
    syscall
    jmp .pause

msg_fork:       .asciz "forkbomb: fork: "
msg_eagain:     .asciz "Resource temporarily unavailable\n"
msg_enomem:     .asciz "Cannot allocate memory\n"
msg_other:      .asciz "failed\n"
.align 8
.include "include/ulib.inc"
