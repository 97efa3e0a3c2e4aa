; hog.s — a memory hog: it maps anonymous memory 1 MiB at a time and
; touches every page, printing how much it holds. Linux gives a page frame
; only when a page is first touched, so memory.current grows as the hog
; writes, not when it calls mmap. Under a cgroup with memory.max it is
; OOM-killed when the next page cannot be charged (memory.events: oom_kill 1);
; with memory.high it is throttled instead.
;
;   hog          allocate until killed
;   hog 8        allocate 8 MiB, then wait (pause) until killed

.user
.include "include/syscalls.inc"
.include "include/linux.inc"

MIB = 1024 * 1024
PAGE = 4096

.org 0x400000
_start:
    ld r13, [sp]                    ; argc
    mov r14, 0                      ; how many MiB to hold (0: no limit)
    cmp r13, 2
    jb .start
    ld r1, [sp + 8]                 ; argv[1]
    call parse_dec
    mov r14, r0
.start:
    mov r13, 0                      ; MiB held so far
.loop:
    cmp r14, 0
    je .more
    cmp r13, r14
    jae .hold
.more:
    mov r0, SYS_mmap                ; mmap(NULL, 1 MiB, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)
    mov r1, 0
    mov r2, MIB
    mov r3, PROT_READ | PROT_WRITE
    mov r4, MAP_PRIVATE | MAP_ANONYMOUS
    mov r5, -1
    mov r6, 0
    syscall
    cmp r0, -4096                   ; -4095..-1 are errors (compare unsigned)
    ja .failed
    mov r5, r0                      ; r5 = next page to touch
    add r6, r0, MIB                 ; r6 = end of the new MiB
.touch:                             ; one write per page: each write faults a frame in
    st [r5], r13
    add r5, r5, PAGE
    cmp r5, r6
    jb .touch
    add r13, r13, 1
    mov r1, msg_hog
    call print
    mov r1, r13
    call print_dec
    mov r1, msg_mib
    call print
    jmp .loop
.hold:
    mov r1, msg_holding
    call print
    mov r1, r13
    call print_dec
    mov r1, msg_wait
    call print
.pause:                             ; sleep until a signal ends us
    mov r0, SYS_pause
    syscall
    jmp .pause
.failed:
    mov r1, msg_failed
    call print
    mov r1, 1
    call exit

msg_hog:        .asciz "hog: "
msg_mib:        .asciz " MiB\n"
msg_holding:    .asciz "hog: holding "
msg_wait:       .asciz " MiB until killed\n"
msg_failed:     .asciz "hog: mmap failed\n"
.align 8
.include "include/ulib.inc"
.include "include/args.inc"
