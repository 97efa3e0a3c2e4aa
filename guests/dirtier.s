; dirtier.s — a guest that writes memory at a set rate, for live migration
; (source/hypervisor/migration/). On every timer tick it writes one word in
; each of the next `dirty_pages` pages of its writable working set — the
; `dirty_wss` pages from `wss` (1 MiB) up — going round and round it. Between
; ticks it sleeps in hlt, so the dirty rate is ticks per second × pages per
; tick, and nothing else: a migration's rounds shrink, or do not, because of
; this rate against the network's bandwidth (Clark et al., NSDI 2005, call
; the pages written over and over the "writable working set").
;
; Its parameters sit on a page of their own, where `ringlab migrate
; --dirty-rate` (and `vm migrate`) set them, as a benchmark's command line
; would; the guest reads them on every tick, and reprograms its timer when
; `dirty_pit_count` changes. It counts its ticks in `ticks` and never stops.

.include "include/machine.inc"

.org 0x1000
_start:
    mov sp, stack_top
    mov r1, tick                    ; IDT gate 32 (IRQ0): the tick handler
    st [idt + VEC_TIMER * 8], r1
    mov r1, GATE_INTR_RING0
    st [idt + VEC_TIMER * 8 + 4], r1
    lidt [idt_descriptor]
    call program_timer
    mov r1, 0xFE                    ; unmask IRQ0 only
    out PORT_PIC_DATA, r1
    sti
idle:
    hlt                             ; nothing to do until the next tick
    jmp idle

; Program the PIT with dirty_pit_count (and remember it).
program_timer:
    ld r1, [dirty_pit_count]
    st [timer_count], r1
    mov r2, PIT_RATE_GEN
    out PORT_PIT_CMD, r2
    and r2, r1, 0xFF
    out PORT_PIT_CH0, r2
    shr r2, r1, 8
    out PORT_PIT_CH0, r2
    ret

tick:
    push r1
    push r2
    push r3
    push r4
    push r5
    ld r1, [dirty_pages]            ; pages to write this tick
    ld r2, [cursor]                 ; the next page of the working set
    ld r3, [dirty_wss]              ; the working set, in pages
    cmp r2, r3
    jb .page
    mov r2, 0                       ; the working set shrank under the cursor
.page:
    cmp r1, 0
    je .written
    shl r4, r2, 12                  ; r4 = wss + cursor × 4096
    add r4, r4, wss
    ld r5, [r4]
    add r5, r5, 1
    st [r4], r5
    add r2, r2, 1
    cmp r2, r3
    jb .next
    mov r2, 0                       ; round the working set again
.next:
    sub r1, r1, 1
    jmp .page
.written:
    st [cursor], r2
    ld r1, [ticks]
    add r1, r1, 1
    st [ticks], r1
    ld r1, [dirty_pit_count]        ; a new rate: reprogram the timer
    ld r2, [timer_count]
    cmp r1, r2
    je .eoi
    call program_timer
.eoi:
    mov r1, PIC_EOI
    out PORT_PIC_CMD, r1
    pop r5
    pop r4
    pop r3
    pop r2
    pop r1
    iret

; The parameters and the guest's own data, on a page away from the code
; (a store to a page holding translated code drops the translation).
.align 4096
dirty_pit_count: .word 1193         ; PIT reload: 1193 → 1,000 ticks a second
dirty_pages:     .word 8            ; pages written per tick
dirty_wss:       .word 256          ; the writable working set: 256 pages (1 MiB)
cursor:          .word 0
ticks:           .word 0
timer_count:     .word 0
idt_descriptor:
    .word 256 * 8 - 1
    .word idt
idt:            .space 256 * 8
.align 16
                .space 1024
stack_top:

.org 0x100000
wss:                                ; the working set starts here (1 MiB)
