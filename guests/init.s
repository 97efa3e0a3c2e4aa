; init.s — a tiny init for a container's PID 1, like tini or dumb-init.
; PID 1 is special: orphans are reparented to it, so it must reap them
; (wait4) or they stay zombies; and it only receives the signals it has a
; handler for, so `kill -TERM 1` does nothing to a PID 1 without one. This
; init runs one program as its child, forwards SIGTERM, SIGINT and SIGHUP to
; it, reaps every child, and exits with the program's status when it ends.
;
;   init /bin/hog 8        run hog as the child of PID 1
;   init                   only reap orphans, forever

.user
.include "include/syscalls.inc"
.include "include/linux.inc"

.org 0x400000
_start:
    ld r13, [sp]                    ; argc
    cmp r13, 2
    jb reap_forever
    mov r1, SIGTERM                 ; forward the polite signals to the child
    call forward
    mov r1, SIGINT
    call forward
    mov r1, SIGHUP
    call forward
    mov r0, SYS_fork
    syscall
    cmp r0, 0
    je child
    jl fork_failed
    st [child_pid], r0
.wait:                              ; reap until the main child is gone
    mov r0, SYS_wait4               ; wait4(-1, &status, 0, NULL)
    mov r1, -1
    mov r2, status
    mov r3, 0
    mov r4, 0
    syscall
    cmp r0, -EINTR                  ; a signal arrived (and was forwarded)
    je .wait
    cmp r0, 0
    jl .gone
    ld r2, [child_pid]
    cmp r0, r2
    jne .wait                       ; an orphan: reaped, keep going
.gone:                              ; exit as the child did: its code, or 128 + signal
    ld r1, [status]
    and r2, r1, 0x7F
    cmp r2, 0
    jne .signaled
    shr r1, r1, 8
    and r1, r1, 0xFF
    call exit
.signaled:
    add r1, r2, 128
    call exit

child:                              ; execve(argv[1], &argv[1], envp)
    ld r1, [sp + 8]
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

fork_failed:
    mov r1, msg_fork
    call print
    mov r1, 1
    call exit

reap_forever:                       ; no program: just reap whatever is reparented to us
    mov r0, SYS_wait4
    mov r1, -1
    mov r2, 0
    mov r3, 0
    mov r4, 0
    syscall
    cmp r0, -ECHILD
    jne reap_forever
    mov r0, SYS_nanosleep           ; nobody to wait for: look again in 100 ms
    mov r1, nap
    mov r2, 0
    syscall
    jmp reap_forever

forward:                            ; r1 = signal: rt_sigaction(r1, &action, NULL, 8)
    mov r0, SYS_rt_sigaction
    mov r2, action
    mov r3, 0
    mov r4, 8
    syscall
    ret

on_signal:                          ; the handler: r1 = signal number
    mov r2, r1
    ld r1, [child_pid]
    mov r0, SYS_kill                ; kill(child, signal)
    syscall
    ret                             ; returns into restorer (its address is on the stack)

restorer:                           ; back from the handler: the kernel restores our registers
    mov r0, SYS_rt_sigreturn
    syscall

msg_exec:       .asciz "init: execve failed\n"
msg_fork:       .asciz "init: fork failed\n"
.align 4
action:         .word on_signal, SA_RESTORER, restorer, 0
nap:            .word 0, 100000000
child_pid:      .word 0
status:         .word 0
.align 8
.include "include/ulib.inc"
