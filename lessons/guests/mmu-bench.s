; mmu-bench.s — the two costs of memory virtualization, measured by the
; guest itself with rdtsc (the clock it reads includes whatever the VMM
; did meanwhile):
;
;   1. page-table churn: mmap 8 pages, write one word in each, munmap them
;      (the kernel writes 8 PTEs and runs invlpg 8 times, twice), 8 times.
;      Under shadow paging every one of those PTE writes and invlpgs is a
;      trip into the VMM; under nested paging none is.
;   2. TLB misses: map 128 pages once, then read one word from each page,
;      16 sweeps. The TLB has 64 entries, so every read misses and the CPU
;      walks the page tables: 2 references natively and with shadow paging,
;      8 for the two-dimensional walk of nested paging.
;
;   run mmu-bench            (natively)
;   vm create s mmu-bench --technique hardware-assist --paging shadow
;   vm create n mmu-bench --technique hardware-assist --paging nested

.user
.include "include/syscalls.inc"

ROUNDS = 8
CHURN_PAGES = 8
SWEEP_PAGES = 128
SWEEPS = 16
PAGE_SIZE = 4096

.org 0x400000
_start:
    ; ── 1. page-table churn ──
    rdtsc r10                       ; start (not r11/r12: syscall overwrites them)
    mov r13, ROUNDS
.round:
    mov r0, SYS_mmap
    mov r1, 0
    mov r2, CHURN_PAGES * PAGE_SIZE
    syscall
    cmp r0, 0
    jl .failed
    mov r14, r0
    mov r5, 0
.touch:
    shl r6, r5, 12
    add r6, r6, r14
    st [r6], r5
    add r5, r5, 1
    cmp r5, CHURN_PAGES
    jb .touch
    mov r0, SYS_munmap
    mov r1, r14
    mov r2, CHURN_PAGES * PAGE_SIZE
    syscall
    sub r13, r13, 1
    jne .round
    rdtsc r5
    sub r5, r5, r10
    mov r3, ROUNDS
    div r1, r5, r3
    call print_dec
    mov r1, msg_churn
    call print

    ; ── 2. TLB misses ──
    mov r0, SYS_mmap
    mov r1, 0
    mov r2, SWEEP_PAGES * PAGE_SIZE
    syscall
    cmp r0, 0
    jl .failed
    mov r14, r0
    mov r5, 0
.first:                             ; touch every page once (a VMM fills its tables here)
    shl r6, r5, 12
    add r6, r6, r14
    st [r6], r5
    add r5, r5, 1
    cmp r5, SWEEP_PAGES
    jb .first
    rdtsc r10
    mov r13, SWEEPS
.sweep:
    mov r5, 0
.read:
    shl r6, r5, 12
    add r6, r6, r14
    ld r7, [r6]
    add r5, r5, 1
    cmp r5, SWEEP_PAGES
    jb .read
    sub r13, r13, 1
    jne .sweep
    rdtsc r5
    sub r5, r5, r10
    mov r3, SWEEP_PAGES * SWEEPS
    div r1, r5, r3
    call print_dec
    mov r1, msg_tlb
    call print
    mov r1, 0
    call exit
.failed:
    mov r1, msg_failed
    call print
    mov r1, 1
    call exit

msg_churn:      .asciz " cycles per round of mmap + touch + munmap (8 pages)\n"
msg_tlb:        .asciz " cycles per load that misses the TLB\n"
msg_failed:     .asciz "mmap failed\n"
.align 8
.include "include/ulib.inc"
