; primes.s — CPU-bound work: count the primes below 20000 by trial
; division. It makes two system calls in all (print, exit), so nearly every
; cycle is user code doing arithmetic — the case where every hypervisor
; technique should come close to native, because user code runs directly on
; the CPU under all of them (Xen's paper: "at most a few percent").
;
;   ringlab run primes
;   ringlab compare primes

.user
.include "include/syscalls.inc"

LIMIT = 20000

.org 0x400000
_start:
    mov r13, 0                      ; primes found
    mov r10, 2                      ; candidate
.candidate:
    cmp r10, LIMIT
    jae .report
    mov r11, 2                      ; divisor
.divide:
    mul r12, r11, r11
    cmp r12, r10
    ja .prime                       ; no divisor up to the square root
    rem r12, r10, r11
    cmp r12, 0
    je .next                        ; divisible: not prime
    add r11, r11, 1
    jmp .divide
.prime:
    add r13, r13, 1
.next:
    add r10, r10, 1
    jmp .candidate

.report:
    mov r1, r13
    call print_dec
    mov r1, msg_primes
    call print
    mov r1, 0
    call exit

msg_primes:     .asciz " primes below 20000\n"
.align 8
.include "include/ulib.inc"
