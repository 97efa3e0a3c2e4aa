; io-loop.s — the same disk work under every kind of I/O virtualization.
;
; A bare guest (it is its own little kernel). It fills 64 KiB with a
; pattern, writes it to the disk as 16 blocks of 4 KiB, reads the 16 blocks
; back into another buffer, checks every word and prints a checksum. The
; output is the same whatever disk it has; what differs is what reaching
; the disk costs. The platform table at physical 0x600 (include/io.inc)
; says which disk that is:
;
;   DISK_ATA   an ATA disk programmed by PIO: every register access and
;              every 16-bit word of data is an `in`/`out`. In a VM each one
;              traps or exits and the VMM emulates the device (--io emulated);
;              natively it is the machine's own disk.
;   DISK_RING  a paravirtual split driver (--io paravirt): this is the
;              frontend. Requests go into a ring in shared memory; a whole
;              batch is published with one store and announced with ONE
;              notification (an `out` to the notify port, or under Xen PV an
;              event-channel hypercall); the backend in the VMM does the I/O.
;   DISK_DMA   a DMA disk with memory-mapped registers (--io passthrough, or
;              natively): the driver stores the request in the device's
;              register page and the device copies the data itself. In a VM
;              nothing exits: the device is the host's, given to the guest.
;              The address in DMA_ADDRESS is guest-physical; whether it lands
;              in this guest's memory is up to the IOMMU.
;
; Without a table it uses the ATA disk. It also runs as a Xen PV guest
; (PLATFORM_XEN_PV: no port I/O, hypercalls for the console and power-off).
;
;   ringlab run io-loop --technique hardware-assist --io emulated
;   ringlab compare io-loop --io paravirt

.include "include/machine.inc"
.include "include/hypercalls.inc"
.include "include/io.inc"

BLOCKS          = 16
BLOCK_BYTES     = 4096
SECTORS_PER_BLOCK = 8
WORDS           = BLOCKS * BLOCK_BYTES / 4
WRITE_BUFFER    = 0x100000
READ_BUFFER     = 0x120000
PATTERN_MUL     = 0x9E3779B1        ; word k of the data is k * PATTERN_MUL + PATTERN_ADD
PATTERN_ADD     = 0x0BADF00D

.org 0x1000
_start:
    mov sp, stack_top
    call platform_init
    call fill_pattern
    rdtsc r1                        ; the I/O phase starts (the VMM reads these two words)
    st [PLATFORM_TABLE + PT_TSC_START], r1
    mov r1, 1                       ; write every block
    mov r2, WRITE_BUFFER
    call disk_phase
    cmp r0, 0
    jne disk_failed
    mov r1, 0                       ; read every block back
    mov r2, READ_BUFFER
    call disk_phase
    cmp r0, 0
    jne disk_failed
    rdtsc r1
    st [PLATFORM_TABLE + PT_TSC_END], r1
    ld r1, [requests]
    st [PLATFORM_TABLE + PT_REQUESTS], r1

    call verify                     ; r0 = words that differ, r1 = checksum
    mov r11, r0
    mov r12, r1
    mov r1, msg_done
    call print
    mov r1, r12
    call print_hex
    mov r1, msg_differ
    call print
    mov r1, r11
    call print_dec
    mov r1, msg_differ_end
    call print
    mov r1, 0
    cmp r11, 0
    je .exit
    mov r1, 1                       ; the data did not survive the round trip
.exit:
    jmp power_off

disk_failed:                        ; r0 = the device's error status
    mov r11, r0
    mov r1, msg_disk_error
    call print
    mov r1, r11
    call print_hex
    mov r1, msg_newline
    call print
    mov r1, 2
    jmp power_off

; ─── which disk, which platform ─────────────────────────────────────────

platform_init:
    ld r1, [PLATFORM_TABLE + PT_MAGIC]
    cmp r1, PLATFORM_MAGIC
    jne .none
    ld r1, [PLATFORM_TABLE + PT_DISK]
    st [disk_kind], r1
    ld r1, [PLATFORM_TABLE + PT_ADDRESS]
    st [disk_address], r1
    ld r1, [PLATFORM_TABLE + PT_RING_SIZE]
    st [ring_size], r1
    ld r1, [PLATFORM_TABLE + PT_NOTIFY]
    st [notify_target], r1
    ld r1, [PLATFORM_TABLE + PT_PLATFORM]
    st [platform], r1
.none:
    ret

; ─── the workload ───────────────────────────────────────────────────────

fill_pattern:
    mov r1, WRITE_BUFFER
    mov r2, 0
.loop:
    mul r3, r2, PATTERN_MUL
    add r3, r3, PATTERN_ADD
    st [r1], r3
    add r1, r1, 4
    add r2, r2, 1
    cmp r2, WORDS
    jb .loop
    ret

verify:                             ; r0 = words of READ_BUFFER that differ from the pattern, r1 = checksum
    mov r1, READ_BUFFER
    mov r2, 0
    mov r0, 0
    mov r4, 0
.loop:
    ld r3, [r1]
    mul r4, r4, 31                  ; checksum = checksum * 31 + word
    add r4, r4, r3
    mul r5, r2, PATTERN_MUL
    add r5, r5, PATTERN_ADD
    cmp r3, r5
    je .same
    add r0, r0, 1
.same:
    add r1, r1, 4
    add r2, r2, 1
    cmp r2, WORDS
    jb .loop
    mov r1, r4
    ret

; disk_phase: r1 = 1 to write, 0 to read; r2 = buffer. Moves all BLOCKS
; blocks; r0 = 0, or the device's error status. Keeps r11-r14.
disk_phase:
    push r11
    push r12
    push r13
    mov r11, r1
    mov r12, r2
    ld r3, [disk_kind]
    cmp r3, DISK_RING
    jne .one_at_a_time
    call ring_phase                 ; r1, r2 still hold the arguments
    jmp .out
.one_at_a_time:                     ; ATA and DMA: one request, wait, the next
    mov r13, 0
.block:
    cmp r13, BLOCKS
    jae .ok
    mov r1, r11
    mov r2, r13
    shl r3, r13, 12
    add r3, r3, r12
    ld r4, [disk_kind]
    cmp r4, DISK_DMA
    je .dma
    call ata_block
    jmp .check
.dma:
    call dma_block
.check:
    cmp r0, 0
    jne .out
    ld r1, [requests]
    add r1, r1, 1
    st [requests], r1
    add r13, r13, 1
    jmp .block
.ok:
    mov r0, 0
.out:
    pop r13
    pop r12
    pop r11
    ret

; ─── the ATA driver (PIO) ───────────────────────────────────────────────
; r1 = 1 to write, r2 = block, r3 = buffer. r0 = 0 or the status register.

ata_block:
    shl r4, r2, 3                   ; first sector
    shr r5, r4, 24
    and r5, r5, 0x0F
    or r5, r5, ATA_LBA_MODE
    out PORT_ATA_DRIVE, r5
    mov r5, SECTORS_PER_BLOCK
    out PORT_ATA_COUNT, r5
    and r5, r4, 0xFF
    out PORT_ATA_LBA_LOW, r5
    shr r5, r4, 8
    and r5, r5, 0xFF
    out PORT_ATA_LBA_MID, r5
    shr r5, r4, 16
    and r5, r5, 0xFF
    out PORT_ATA_LBA_HIGH, r5
    mov r5, ATA_READ_SECTORS
    cmp r1, 0
    je .command
    mov r5, ATA_WRITE_SECTORS
.command:
    out PORT_ATA_COMMAND, r5
    mov r6, SECTORS_PER_BLOCK
.sector:                            ; before each sector: wait until the drive wants data (DRQ)
    in r5, PORT_ATA_COMMAND
    test r5, ATA_STATUS_ERR
    jne .error
    test r5, ATA_STATUS_DRQ
    je .sector
    add r7, r3, SECTOR_SIZE
    cmp r1, 0
    jne .out_words
.in_words:                          ; two 16-bit reads make one word of memory
    in r8, PORT_ATA_DATA
    in r9, PORT_ATA_DATA
    shl r9, r9, 16
    or r8, r8, r9
    st [r3], r8
    add r3, r3, 4
    cmp r3, r7
    jb .in_words
    jmp .next
.out_words:
    ld r8, [r3]
    out PORT_ATA_DATA, r8           ; the drive takes the low 16 bits
    shr r8, r8, 16
    out PORT_ATA_DATA, r8
    add r3, r3, 4
    cmp r3, r7
    jb .out_words
.next:
    sub r6, r6, 1
    cmp r6, 0
    jne .sector
    mov r0, 0
    ret
.error:
    mov r0, r5
    ret

; ─── the DMA driver (memory-mapped registers) ───────────────────────────
; r1 = 1 to write, r2 = block, r3 = buffer. r0 = 0 or the status.

dma_block:
    ld r4, [disk_address]           ; the device's register page
    mov r5, 0
    st [r4 + DMA_STATUS], r5
    shl r5, r2, 3
    st [r4 + DMA_LBA], r5
    mov r5, SECTORS_PER_BLOCK
    st [r4 + DMA_COUNT], r5
    st [r4 + DMA_ADDRESS], r3       ; guest-physical: paging is off
    mov r5, DMA_READ
    cmp r1, 0
    je .go
    mov r5, DMA_WRITE
.go:
    st [r4 + DMA_COMMAND], r5       ; the doorbell: a plain store, no exit
.wait:                              ; the device works while we poll its status
    ld r5, [r4 + DMA_STATUS]
    cmp r5, 0
    je .wait
    mov r0, 0
    cmp r5, DMA_DONE
    je .done
    mov r0, r5
.done:
    ret

; ─── the paravirtual frontend (shared ring) ─────────────────────────────
; r1 = 1 to write, r2 = buffer. Keeps up to ring_size requests in flight,
; publishes each batch with one store to req_prod and notifies the backend
; once per batch (if it asked to be told). r0 = 0, or 1 on an error response.

ring_phase:
    push r11
    push r12
    push r13
    push r14
    mov r11, r1
    mov r12, r2
    mov r13, 0                      ; next block to request
    mov r14, 0                      ; blocks completed
.loop:
    cmp r14, BLOCKS
    jae .ok
.fill:                              ; queue requests while there is room
    cmp r13, BLOCKS
    jae .push
    ld r3, [req_prod_pvt]
    ld r4, [rsp_cons]
    sub r5, r3, r4                  ; requests in flight
    ld r6, [ring_size]
    cmp r5, r6
    jae .push
    sub r6, r6, 1
    and r5, r3, r6
    shl r5, r5, 5                   ; slot * RING_SLOT_BYTES
    ld r6, [disk_address]
    add r5, r5, r6
    add r5, r5, RING_SLOTS          ; r5 = the slot
    mov r7, BLKIF_OP_READ
    cmp r11, 0
    je .operation
    mov r7, BLKIF_OP_WRITE
.operation:
    st [r5 + REQ_OPERATION], r7
    mov r7, SECTORS_PER_BLOCK
    st [r5 + REQ_SECTORS], r7
    st [r5 + REQ_ID], r13
    shl r7, r13, 3
    st [r5 + REQ_SECTOR], r7
    shl r7, r13, 12
    add r7, r7, r12
    st [r5 + REQ_BUFFER], r7
    add r3, r3, 1
    st [req_prod_pvt], r3
    add r13, r13, 1
    ld r7, [requests]
    add r7, r7, 1
    st [requests], r7
    jmp .fill
.push:                              ; RING_PUSH_REQUESTS_AND_CHECK_NOTIFY
    ld r6, [disk_address]
    ld r3, [r6 + RING_REQ_PROD]     ; old
    ld r4, [req_prod_pvt]           ; new
    cmp r3, r4
    je .responses
    st [r6 + RING_REQ_PROD], r4     ; the whole batch becomes visible at once
    ld r5, [r6 + RING_REQ_EVENT]
    sub r7, r4, r5                  ; notify if old < req_event <= new
    sub r8, r4, r3
    cmp r7, r8
    jae .responses
    call notify
.responses:                         ; consume what the backend answered
    ld r6, [disk_address]
    ld r3, [rsp_cons]
    ld r4, [r6 + RING_RSP_PROD]
    cmp r3, r4
    je .loop
    ld r5, [ring_size]
    sub r5, r5, 1
    and r5, r3, r5
    shl r5, r5, 5
    add r5, r5, r6
    add r5, r5, RING_SLOTS
    ld r7, [r5 + RSP_STATUS]
    cmp r7, BLKIF_RSP_OKAY
    jne .error
    add r3, r3, 1
    st [rsp_cons], r3
    add r14, r14, 1
    jmp .responses
.ok:
    mov r0, 0
    jmp .out
.error:
    mov r0, 1
.out:
    pop r14
    pop r13
    pop r12
    pop r11
    ret

notify:                             ; one notification to the backend
    ld r1, [platform]
    cmp r1, PLATFORM_XEN_PV
    je .hypercall
    ld r1, [notify_target]
    mov r2, 0
    out r1, r2                      ; virtio's QUEUE_NOTIFY: an I/O exit
    ret
.hypercall:
    mov r0, __HYPERVISOR_event_channel_op
    mov r1, EVTCHNOP_send
    ld r2, [notify_target]
    vmcall
    ret

; ─── console and power ──────────────────────────────────────────────────

print:                              ; r1 = zero-terminated string
    ld r2, [platform]
    cmp r2, PLATFORM_XEN_PV
    je .pv
.byte:
    ldb r2, [r1]
    cmp r2, 0
    je .done
    out PORT_COM1, r2
    add r1, r1, 1
    jmp .byte
.done:
    ret
.pv:                                ; console_io(write, length, buffer)
    mov r3, r1
    mov r2, 0
.length:
    ldb r4, [r3]
    cmp r4, 0
    je .write
    add r3, r3, 1
    add r2, r2, 1
    jmp .length
.write:
    mov r3, r1
    mov r1, CONSOLEIO_write
    mov r0, __HYPERVISOR_console_io
    vmcall
    ret

print_hex:                          ; r1 = value, printed as 0x and 8 digits
    mov r2, number + 10
    mov r3, 0
    stb [r2], r3
.digit:
    sub r2, r2, 1
    and r3, r1, 0xF
    ldb r3, [r3 + hex_digits]
    stb [r2], r3
    shr r1, r1, 4
    cmp r2, number + 2
    ja .digit
    mov r3, '0'
    stb [number], r3
    mov r3, 'x'
    stb [number + 1], r3
    mov r1, number
    jmp print

print_dec:                          ; r1 = unsigned value
    mov r2, number + 11
    mov r3, 0
    stb [r2], r3
    mov r4, 10
.digit:
    sub r2, r2, 1
    rem r3, r1, r4
    add r3, r3, '0'
    stb [r2], r3
    div r1, r1, r4
    cmp r1, 0
    jne .digit
    mov r1, r2
    jmp print

power_off:                          ; r1 = exit status
    ld r2, [platform]
    cmp r2, PLATFORM_XEN_PV
    je .pv
    out PORT_DEBUG_EXIT, r1
    cli
    hlt
.pv:
    mov r3, r1
    mov r0, __HYPERVISOR_sched_op
    mov r1, SCHEDOP_shutdown
    mov r2, SHUTDOWN_poweroff
    vmcall

; ─── data ───────────────────────────────────────────────────────────────

__xen_guest:                        ; marks a kernel that can run paravirtualized
msg_done:       .asciz "io-loop: wrote 16 blocks of 4096 bytes to the disk and read them back\nchecksum "
msg_differ:     .asciz ", words that differ: "
msg_differ_end: .asciz "\n"
msg_disk_error: .asciz "io-loop: disk error, status "
msg_newline:    .asciz "\n"
hex_digits:     .ascii "0123456789abcdef"
number:         .space 12

.align 4
disk_kind:      .word DISK_ATA
disk_address:   .word 0
ring_size:      .word 1
notify_target:  .word 0
platform:       .word PLATFORM_HARDWARE
req_prod_pvt:   .word 0
rsp_cons:       .word 0
requests:       .word 0

.align 16
stack:          .space 4096
stack_top:
