; detach.s — start a program and return at once, leaving it running
; (lessons 14 and 17). The lab's shell runs one command at a time (no `&`),
; so this stands in for bash's `PROGRAM &`: it forks, the child execs the
; program, and the parent says the child's PID and exits. The child keeps
; the parent's cgroup and namespaces, and — its parent gone — is reparented
; to PID 1. Like every process, it runs whenever the kernel runs: while
; some program is in the foreground.
;
;   detach spinner         (a bare name is looked up in /bin)
;   then: ps -f, cat /sys/fs/cgroup/…/cpu.stat

.user
.include "include/syscalls.inc"

.org 0x400000
_start:
    ld r13, [sp]                    ; argc
    cmp r13, 2
    jb .usage
    mov r0, SYS_fork
    syscall
    cmp r0, 0
    je .child
    jl .failed
    mov r13, r0
    mov r1, msg_runs
    call print
    ld r1, [sp + 8]
    call print
    mov r1, msg_as
    call print
    mov r1, r13
    call print_dec
    mov r1, msg_newline
    call print
    mov r1, 0
    call exit
.child:                             ; execve(path, &argv[1], envp)
    ld r1, [sp + 8]
    ldb r2, [r1]
    cmp r2, '/'
    je .exec
    mov r2, path + 5                ; a bare name: look in /bin
.copy:
    ldb r3, [r1]
    stb [r2], r3
    add r1, r1, 1
    add r2, r2, 1
    cmp r3, 0
    jne .copy
    mov r1, path
.exec:
    add r2, sp, 8
    ld r3, [sp]
    add r3, r3, 2
    shl r3, r3, 2
    add r3, r3, sp                  ; envp follows argv's NULL
    mov r0, SYS_execve
    syscall
    mov r1, msg_exec
    call print
    mov r1, 127
    call exit
.usage:
    mov r1, msg_usage
    call print
    mov r1, 2
    call exit
.failed:
    mov r1, msg_fork
    call print
    mov r1, 1
    call exit

msg_runs:       .asciz "detach: "
msg_as:         .asciz " runs as PID "
msg_newline:    .asciz "\n"
msg_exec:       .asciz "detach: execve failed: no such program\n"
msg_usage:      .asciz "usage: detach PROGRAM [ARGUMENTS]\n"
msg_fork:       .asciz "detach: fork: Resource temporarily unavailable\n"
path:           .ascii "/bin/"
                .space 64
.align 8
.include "include/ulib.inc"
