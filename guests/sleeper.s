; sleeper.s — a mostly idle guest: it sets a 50 µs timer, and on each tick
; does a little work (about 1,000 cycles) and goes back to sleep with hlt. Under the scheduler
; its vCPU is blocked nearly all the time, so a work-conserving scheduler
; lets the other VMs use the CPU it leaves (source/hypervisor/scheduler/).
; It counts its ticks in `ticks` and never stops.

.include "include/machine.inc"

TIMER_COUNT     = 60                ; 50 µs at the PIT's 1,193,182 Hz
WORK            = 200               ; loop rounds per tick

.org 0x1000
_start:
    mov sp, stack_top
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
    hlt                             ; nothing to do until the next tick
    jmp idle

tick:
    push r1
    push r2
    ld r1, [ticks]
    add r1, r1, 1
    st [ticks], r1
    mov r2, WORK
.work:
    sub r2, r2, 1
    cmp r2, 0
    jne .work
    mov r1, PIC_EOI
    out PORT_PIC_CMD, r1
    pop r2
    pop r1
    iret

; Data on a page of its own, away from the code (stores to a code page drop its translation).
.align 4096
ticks:          .word 0
idt_descriptor:
    .word 256 * 8 - 1
    .word idt
idt:            .space 256 * 8
.align 16
                .space 1024
stack_top:
