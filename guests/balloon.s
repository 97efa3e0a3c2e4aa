; balloon.s — a guest with a balloon driver (source/hypervisor/balloon/).
; On every timer tick (1 ms) the driver reads how many pages the host wants
; in the balloon (virtio-balloon's num_pages), and inflates — gives the
; host the frame numbers of pages from the top of its free memory, which it
; stops using — or deflates — takes pages back and uses them again (it
; writes each one's number into it) — up to 256 pages a tick, Linux's batch.
; Then it reports the balloon's size (virtio's `actual`). Its code and data
; live below 1 MiB; everything above is free memory it may balloon.
; It counts its ticks in `ticks`, and never stops.

.include "include/machine.inc"

BALLOON_NUM_PAGES   = 0xC020        ; read: the pages the host wants in the balloon
BALLOON_ACTUAL      = 0xC024        ; write: the pages in the balloon now
BALLOON_INFLATE     = 0xC028        ; write: a page frame number given to the host
BALLOON_DEFLATE     = 0xC02C        ; write: a page frame number taken back
BALLOON_MEMORY      = 0xC030        ; read: the VM's memory in pages (the firmware's map)
FIRST_FREE_PFN      = 0x100         ; 1 MiB: pages from here up are free memory
BATCH               = 256           ; pages a tick at most
TIMER_COUNT         = 1193          ; 1 ms at the PIT's 1,193,182 Hz

.org 0x1000
_start:
    mov sp, stack_top
    mov r6, BALLOON_MEMORY
    in r1, r6
    st [mem_pages], r1
    mov r1, tick                    ; IDT gate 32 (IRQ0): the tick handler
    st [idt + VEC_TIMER * 8], r1
    mov r1, GATE_INTR_RING0
    st [idt + VEC_TIMER * 8 + 4], r1
    lidt [idt_descriptor]
    mov r1, PIT_RATE_GEN
    out PORT_PIT_CMD, r1
    mov r1, TIMER_COUNT & 0xFF
    out PORT_PIT_CH0, r1
    mov r1, TIMER_COUNT >> 8
    out PORT_PIT_CH0, r1
    mov r1, 0xFE                    ; unmask IRQ0 only
    out PORT_PIC_DATA, r1
    sti
idle:
    hlt
    jmp idle

tick:
    push r1
    push r2
    push r3
    push r4
    push r5
    push r6
    mov r6, BALLOON_NUM_PAGES
    in r1, r6                       ; r1 = the target
    ld r2, [balloon_pages]          ; r2 = the balloon now
    mov r5, BATCH
.inflate:
    cmp r2, r1
    jae .deflate
    cmp r5, 0
    je .report
    ld r3, [mem_pages]              ; the next page to give: top of memory, down
    sub r3, r3, 1
    sub r3, r3, r2
    cmp r3, FIRST_FREE_PFN
    jb .report                      ; never the driver's own code and data
    mov r6, BALLOON_INFLATE
    out r6, r3
    add r2, r2, 1
    sub r5, r5, 1
    jmp .inflate
.deflate:
    cmp r2, r1
    jbe .report
    cmp r5, 0
    je .report
    sub r2, r2, 1
    ld r3, [mem_pages]              ; the page coming back
    sub r3, r3, 1
    sub r3, r3, r2
    mov r6, BALLOON_DEFLATE
    out r6, r3
    shl r4, r3, 12                  ; use it again: its number in its first word
    st [r4], r3
    sub r5, r5, 1
    jmp .deflate
.report:
    st [balloon_pages], r2
    mov r6, BALLOON_ACTUAL
    out r6, r2
    ld r1, [ticks]
    add r1, r1, 1
    st [ticks], r1
    mov r1, PIC_EOI
    out PORT_PIC_CMD, r1
    pop r6
    pop r5
    pop r4
    pop r3
    pop r2
    pop r1
    iret

; Data on a page away from the code (stores to a code page drop its translation).
.align 4096
mem_pages:      .word 0
balloon_pages:  .word 0
ticks:          .word 0
idt_descriptor:
    .word 256 * 8 - 1
    .word idt
idt:            .space 256 * 8
.align 16
                .space 1024
stack_top:
