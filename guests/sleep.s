; sleep.s — coreutils' sleep: pause for the sum of its arguments, each a
; number of seconds with an optional fraction and an optional suffix (s
; seconds, m minutes, h hours, d days), with nanosleep(2). A signal ends it
; (Ctrl-C is SIGINT). Errors go to standard error in coreutils' words (as
; in the C locale: the lab sets no LANG), with exit status 1. The lab's
; clock skips spans when nothing can run, so with nothing else running the
; sleep ends at once on the wall clock (media/kernel-simplifications.md).
;
;   sleep 2          sleep 0.5          sleep 1m 30

.user
.include "include/syscalls.inc"
.include "include/linux.inc"

.org 0x400000
_start:
    ld r13, [sp]                    ; argc
    cmp r13, 2
    jb .missing
    mov r8, 0                       ; total seconds
    mov r9, 0                       ; total nanoseconds (below 1e9)
    mov r10, sp
    add r10, r10, 8                 ; &argv[1]
.argument:
    ld r7, [r10]                    ; the next argument, or NULL
    cmp r7, 0
    je .sleep
    mov r1, r7
    call parse_interval             ; r0 = seconds, r2 = nanoseconds; r3 = 0 if it was not one
    cmp r3, 0
    je .invalid
    add r8, r8, r0
    add r9, r9, r2
    cmp r9, 1000000000
    jb .next
    sub r9, r9, 1000000000
    add r8, r8, 1
.next:
    add r10, r10, 4
    jmp .argument
.sleep:
    st [request], r8
    st [request + 4], r9
    mov r0, SYS_nanosleep           ; nanosleep(&request, NULL)
    mov r1, request
    mov r2, 0
    syscall
    mov r1, 0
    call exit
.missing:
    mov r1, msg_missing
    call print_err
    jmp .usage
.invalid:
    mov r1, msg_invalid
    call print_err
    mov r1, r7
    call print_err
    mov r1, msg_close_quote
    call print_err
.usage:
    mov r1, msg_try
    call print_err
    mov r1, 1
    call exit

; r1 = string: "12", "0.25", "1.5m"; r0 = whole seconds, r2 = nanoseconds,
; r3 = 1 if the whole string was an interval, else 0.
parse_interval:
    mov r0, 0
    mov r2, 0
    mov r3, 0                       ; digits seen
    mov r4, 100000000               ; the weight of the next fraction digit in ns
.whole:
    ldb r5, [r1]
    sub r6, r5, '0'
    cmp r6, 9
    ja .point
    mul r0, r0, 10
    add r0, r0, r6
    add r1, r1, 1
    mov r3, 1
    jmp .whole
.point:
    cmp r5, '.'
    jne .suffix
    add r1, r1, 1
.fraction:
    ldb r5, [r1]
    sub r6, r5, '0'
    cmp r6, 9
    ja .suffix
    mul r6, r6, r4
    add r2, r2, r6
    mov r6, 10
    div r4, r4, r6                  ; digits past the ninth weigh nothing
    add r1, r1, 1
    mov r3, 1
    jmp .fraction
.suffix:
    cmp r3, 0
    je .bad
    mov r6, 1                       ; the unit in seconds
    cmp r5, 's'
    je .unit
    mov r6, 60
    cmp r5, 'm'
    je .unit
    mov r6, 3600
    cmp r5, 'h'
    je .unit
    mov r6, 86400
    cmp r5, 'd'
    je .unit
    cmp r5, 0
    je .good
    jmp .bad
.unit:
    ldb r5, [r1 + 1]                ; the suffix must end the argument
    cmp r5, 0
    jne .bad
    cmp r6, 1
    je .good                        ; seconds: nothing to scale
    mul r0, r0, r6                  ; whole seconds times the unit
    mov r5, 1000000                 ; the fraction, to the millisecond: ns * 86,400 would not fit 32 bits
    div r2, r2, r5
    mul r2, r2, r6                  ; milliseconds times the unit
    mov r5, 1000
    div r4, r2, r5
    add r0, r0, r4                  ; whole seconds of it
    rem r2, r2, r5
    mov r5, 1000000
    mul r2, r2, r5                  ; the rest, back to nanoseconds
.good:
    mov r3, 1
    ret
.bad:
    mov r3, 0
    ret

print_err:                          ; r1 = zero-terminated string, to standard error
    mov r2, r1
.len:
    ldb r3, [r2]
    cmp r3, 0
    je .write
    add r2, r2, 1
    jmp .len
.write:
    sub r3, r2, r1
    mov r2, r1
    mov r1, 2
    mov r0, SYS_write
    syscall
    ret

msg_missing:     .asciz "sleep: missing operand\n"
msg_invalid:     .asciz "sleep: invalid time interval '"
msg_close_quote: .asciz "'\n"
msg_try:         .asciz "Try 'sleep --help' for more information.\n"
.align 8
request:         .space 8
.include "include/ulib.inc"
