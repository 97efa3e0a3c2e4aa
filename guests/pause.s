; pause.s — the pause container's program, as Kubernetes has one in every
; pod: it holds the pod's shared namespaces (network, IPC, UTS) open while
; the app containers come and go. As PID 1 it reaps zombies, and it exits
; cleanly on SIGTERM or SIGINT (a PID 1 without handlers would ignore them).
;
;   pause

.user
.include "include/syscalls.inc"
.include "include/linux.inc"

.org 0x400000
_start:
    mov r1, SIGTERM
    mov r2, quit_action
    call handle
    mov r1, SIGINT
    mov r2, quit_action
    call handle
    mov r1, SIGCHLD                 ; a child died: wake from pause and reap it
    mov r2, reap_action
    call handle
.sleep:                             ; reap what is there, then sleep until a signal
    mov r0, SYS_wait4
    mov r1, -1
    mov r2, 0
    mov r3, WNOHANG
    mov r4, 0
    syscall
    cmp r0, 0
    jg .sleep                       ; reaped one: look for more
    mov r0, SYS_pause
    syscall
    jmp .sleep

handle:                             ; rt_sigaction(r1, r2, NULL, 8)
    mov r0, SYS_rt_sigaction
    mov r3, 0
    mov r4, 8
    syscall
    ret

on_quit:
    mov r1, 0
    call exit

on_child:                           ; nothing to do here: pause() returns -EINTR and the loop reaps
    ret

restorer:
    mov r0, SYS_rt_sigreturn
    syscall

.align 4
quit_action:    .word on_quit, SA_RESTORER, restorer, 0
reap_action:    .word on_child, SA_RESTORER, restorer, 0
.align 8
.include "include/ulib.inc"
