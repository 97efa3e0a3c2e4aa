; forker.s — a polite fork bomb (lesson 14): it forks children one at a
; time, each of which sleeps, until it has N of them or fork() fails. Then
; it says how far it got and why it stopped, kills its children, reaps them
; and exits (status 1 if a fork failed) — so it ends by itself. Under a cgroup with pids.max, fork fails
; with EAGAIN ("Resource temporarily unavailable") at the limit, and
; pids.events counts the refusals as "max".
;
;   forker 20       try for 20 children (at most 64)

.user
.include "include/syscalls.inc"
.include "include/linux.inc"

MAX_CHILDREN = 64

.org 0x400000
_start:
    mov r14, 10                     ; how many children to try for (default 10)
    ld r13, [sp]
    cmp r13, 2
    jb .clamp
    ld r1, [sp + 8]
    call parse_dec
    mov r14, r0
.clamp:
    cmp r14, MAX_CHILDREN
    jbe .start
    mov r14, MAX_CHILDREN
.start:
    mov r13, 0                      ; children so far
    mov r8, 0                       ; the exit status: 1 once a fork failed
.fork:
    cmp r13, r14
    jae .report
    mov r0, SYS_fork
    syscall
    cmp r0, 0
    je .child
    jl .failed
    shl r1, r13, 2
    add r1, r1, children
    st [r1], r0
    add r13, r13, 1
    jmp .fork
.failed:
    neg r10, r0                     ; errno (print keeps r7-r10, r13, r14)
    mov r8, 1
    mov r1, msg_fork
    call print
    add r1, r13, 1
    call print_dec
    mov r1, msg_failed
    call print
    mov r1, msg_eagain
    cmp r10, EAGAIN
    je .say
    mov r1, msg_enomem
    cmp r10, ENOMEM
    je .say
    mov r1, msg_other
.say:
    call print
.report:
    mov r1, msg_have
    call print
    mov r1, r13
    call print_dec
    mov r1, msg_children
    call print
    mov r9, 0                       ; kill them all …
.kill:
    cmp r9, r13
    jae .reap
    shl r1, r9, 2
    add r1, r1, children
    ld r1, [r1]
    mov r2, SIGKILL
    mov r0, SYS_kill
    syscall
    add r9, r9, 1
    jmp .kill
.reap:                              ; … and reap them
    mov r0, SYS_wait4
    mov r1, -1
    mov r2, 0
    mov r3, 0
    mov r4, 0
    syscall
    cmp r0, 0
    jg .reap
    mov r1, r8
    call exit
.child:
    mov r0, SYS_pause
    syscall
    jmp .child

msg_fork:       .asciz "forker: fork "
msg_failed:     .asciz " failed: "
msg_eagain:     .asciz "Resource temporarily unavailable (EAGAIN)\n"
msg_enomem:     .asciz "Cannot allocate memory (ENOMEM)\n"
msg_other:      .asciz "an unexpected error\n"
msg_have:       .asciz "forker: "
msg_children:   .asciz " children were running; killing them\n"
.align 4
children:       .space MAX_CHILDREN * 4
.align 8
.include "include/ulib.inc"
.include "include/args.inc"
