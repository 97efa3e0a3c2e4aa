; pagechurn.s — a page-table churner: map some anonymous memory, touch
; every page, unmap it, again and again. Each mmap and munmap makes the
; kernel write page-table entries and flush TLB entries (invlpg): cheap on
; bare metal, expensive when a hypervisor must track every page-table write
; (shadow paging) — and cheap again with nested paging.
;
;   ringlab run pagechurn
;   ringlab compare pagechurn --paging shadow,nested

.user
.include "include/syscalls.inc"

ROUNDS = 64
PAGES = 8
PAGE_SIZE = 4096

.org 0x400000
_start:
    mov r13, ROUNDS
.round:
    mov r0, SYS_mmap                ; mmap(0, PAGES * 4096)
    mov r1, 0
    mov r2, PAGES * PAGE_SIZE
    syscall
    cmp r0, 0
    jl .failed
    mov r14, r0                     ; base of the new mapping
    mov r5, 0
.touch:                             ; write one word in every page
    shl r6, r5, 12
    add r6, r6, r14
    st [r6], r5
    add r5, r5, 1
    cmp r5, PAGES
    jb .touch
    mov r0, SYS_munmap              ; munmap(base, PAGES * 4096)
    mov r1, r14
    mov r2, PAGES * PAGE_SIZE
    syscall
    sub r13, r13, 1
    jne .round

    mov r1, ROUNDS * PAGES
    call print_dec
    mov r1, msg_done
    call print
    mov r1, 0
    call exit
.failed:
    mov r1, msg_failed
    call print
    mov r1, 1
    call exit

msg_done:       .asciz " pages mapped, touched and unmapped\n"
msg_failed:     .asciz "mmap failed\n"
.align 8
.include "include/ulib.inc"
