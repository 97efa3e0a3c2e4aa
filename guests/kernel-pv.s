; kernel-pv.s — guests/kernel.s ported to run paravirtualized, as Xen guests
; are: it knows it runs in ring 1 under a hypervisor, so instead of the
; privileged instructions kernel.s uses it asks the hypervisor with
; hypercalls (`vmcall`). Side by side with kernel.s:
;
;   kernel.s (owns the machine)          kernel-pv.s (a guest of the hypervisor)
;   lidt [idt_descriptor]                set_trap_table(trap_table)
;   ltr (TSS says ring 0's stack)        stack_switch(kernel stack)
;   wrmsr IA32_LSTAR, syscall_entry      callback_op(register, syscall, syscall_entry)
;   st [pte], value ; invlpg             queue {pte, value}; mmu_update(queue, n) — a batch
;   mov cr3, pd ; mov cr0, PG            mmuext_op(PIN_L2_TABLE, pd; NEW_BASEPTR, pd)
;   page tables hold physical frames     they hold machine frames: p2m list / machine-to-phys
;   out PIT ×3, out PIC                  vcpu_op(set_periodic_timer, 1 ms)
;   out COM1, byte (per byte)            console_io(write, length, buffer) — per write()
;   cli / sti / the IF in iret's frame   a mask byte in vcpu_info (plain memory)
;   mov r, cr2                           ld r, [vcpu_info + VCPU_INFO_CR2]
;   iret / sysret                        iret hypercall (frame on the kernel stack)
;   out PORT_DEBUG_EXIT, status          sched_op(shutdown, poweroff, status)
;
; The hypercall ABI (Xen's numbers, include/hypercalls.inc): number in r0,
; arguments in r1-r5, result in r0; every other register is preserved.
;   0  set_trap_table(r1 = table)            trap_info entries {vector, flags, cs, handler}
;   1  mmu_update(r1 = requests, r2 = count) each {machine address of a page-table entry, new value};
;                                            the hypervisor checks the frames are ours, then writes
;   3  stack_switch(r2 = kernel sp)          the stack used when ring 3 traps into us
;  17  xen_version()                         a cheap hypercall: lets a pending event in
;  18  console_io(r1 = write|read, r2 = length, r3 = buffer)
;  23  iret()                                pops r0, pc, cs, flags (and sp to go to ring 3)
;  24  vcpu_op(r1 = command, r2 = vcpu, r3 = argument)
;  26  mmuext_op(r1 = ops, r2 = count)       {command, argument}: pin a page directory, load it, flush TLBs
;  29  sched_op(r1 = command, r2, r3)        block until an event; shut down with a status
;  30  callback_op(r1 = register, r2 = type, r3 = address, r4 = flags)
;
; Events (the timer, every 1 ms) arrive through the trap table's vector 32,
; like an interrupt; while vcpu_info's mask byte is 1 they wait (pending).
;
; Direct paging, as Xen's PV guests do it: our page tables are the ones the
; CPU walks, so they hold *machine* frames, not the (pseudo-)physical frames
; our allocator hands out. phys_to_machine translates with the p2m list the
; domain builder gave us (start_info, its address in r4 at boot);
; machine_to_phys translates back with the machine-to-phys table the
; hypervisor maps read-only at MACH2PHYS_VIRT_START. Page tables are
; read-only to us (they come from pt_pool, which we map read-only): the
; hypervisor refuses a writable mapping of a page table, and validates
; every entry we send. Before our own page directory is loaded we run on
; the domain builder's tables, which map our memory 1:1.
;
;   ringlab run hello --technique paravirt       (uses this kernel)
;   ringlab compare hello                        (next to the other techniques)

.include "include/machine.inc"
.include "include/syscalls.inc"
.include "include/hypercalls.inc"

USER_TOP        = 0xC0000000
USER_STACK_PAGES = 4
MMAP_BASE       = 0x10000000
MMAP_LIMIT      = 0x20000000
TIMER_PERIOD_NS = 1000000       ; 1 ms, as kernel.s programs the PIT
KSTACK_SIZE     = 8192
SYSCALL_TABLE_SIZE = 256
MMU_QUEUE_LENGTH = 32           ; page-table updates sent per mmu_update
PT_POOL_PAGES   = 32            ; page tables come from here (read-only to us once mapped)
SIGILL = 4
SIGFPE = 8
SIGSEGV = 11

.org 0x1000
_start:
    st [start_info], r4             ; the domain builder's start_info (Xen passes it in %esi)
    mov sp, kstack_top
    mov r1, cs                      ; which ring are we in? (a PV kernel may look)
    and r1, r1, 3
    cmp r1, 1
    jne not_paravirtualized
    ld r1, [BOOT_INFO]
    cmp r1, BOOT_MAGIC
    jne no_boot_info
    call vcpu_info_init
    call trap_table_init
    call stack_init
    call syscall_init
    call frames_init
    call paging_init
    call user_init
    call timer_init
    ld r11, [BOOT_INFO + BOOT_MODULE_ENTRY] ; read it now: page 0 is unmapped once paging is on
    ld r1, [page_dir]
    call new_baseptr                ; our page tables from now on (paging on)

    ; Drop to ring 3: the iret hypercall pops r0, pc, cs, flags and — for
    ; ring 3 — sp. Push them in the opposite order.
    ld r1, [user_start_sp]          ; argc, argv and envp are there
    push r1
    push FLAGS_IF | FLAGS_ONE       ; events on in user mode
    push SEL_RING3
    push r11
    push 0                          ; r0 for the user program
    call clear_registers
    mov r0, __HYPERVISOR_iret
    vmcall

not_paravirtualized:                ; in ring 0: there is no hypervisor to call
    mov r1, msg_not_pv
.print:
    ldb r2, [r1]
    cmp r2, 0
    je .off
    out PORT_COM1, r2
    add r1, r1, 1
    jmp .print
.off:
    mov r1, 1
    out PORT_DEBUG_EXIT, r1
    cli
    hlt

no_boot_info:
    mov r1, msg_no_boot
    call kprint
    mov r1, 1
    jmp shutdown

clear_registers:
    mov r1, 0
    mov r2, 0
    mov r3, 0
    mov r4, 0
    mov r5, 0
    mov r6, 0
    mov r7, 0
    mov r8, 0
    mov r9, 0
    mov r10, 0
    mov r11, 0
    mov r12, 0
    mov r13, 0
    mov r14, 0
    ret

shutdown:                           ; r1 = exit status: power off through the hypervisor
    mov r3, r1
    mov r0, __HYPERVISOR_sched_op
    mov r1, SCHEDOP_shutdown
    mov r2, SHUTDOWN_poweroff
    vmcall

; ─── the hypervisor interface ───────────────────────────────────────────

vcpu_info_init:                     ; events masked until we are ready for them
    mov r1, 1
    stb [vcpu_info + VCPU_INFO_MASK], r1
    mov r0, __HYPERVISOR_vcpu_op
    mov r1, VCPUOP_register_vcpu_info
    mov r2, 0
    mov r3, vcpu_info
    vmcall
    ret

trap_table_init:
    mov r0, __HYPERVISOR_set_trap_table
    mov r1, trap_table
    vmcall
    ret

stack_init:                         ; where the hypervisor puts our stack when ring 3 traps
    mov r0, __HYPERVISOR_stack_switch
    mov r1, 0
    mov r2, kstack_top
    vmcall
    ret

syscall_init:                       ; `syscall` in ring 3 lands at syscall_entry, events masked
    mov r0, __HYPERVISOR_callback_op
    mov r1, CALLBACKOP_register
    mov r2, CALLBACKTYPE_syscall
    mov r3, syscall_entry
    mov r4, CALLBACKF_mask_events
    vmcall
    ret

timer_init:
    mov r0, __HYPERVISOR_vcpu_op
    mov r1, VCPUOP_set_periodic_timer
    mov r2, 0
    mov r3, TIMER_PERIOD_NS
    vmcall
    ret

new_baseptr:                        ; r1 = page directory: pin it (validated once), then load it
    mov r0, r1
    call phys_to_machine
    shr r0, r0, 12                  ; mmuext_op takes machine frame numbers
    st [mmuext + 4], r0
    st [mmuext + 12], r0
    mov r1, MMUEXT_PIN_L2_TABLE
    st [mmuext], r1
    mov r1, MMUEXT_NEW_BASEPTR
    st [mmuext + 8], r1
    mov r0, __HYPERVISOR_mmuext_op
    mov r1, mmuext
    mov r2, 2                       ; both in one hypercall
    mov r3, 0
    vmcall
    cmp r0, 0
    jne .refused
    ret
.refused:
    mov r1, msg_pin_refused
    call kprint
    mov r1, 255
    jmp shutdown

tlb_flush:
    mov r1, MMUEXT_TLB_FLUSH_LOCAL
    st [mmuext], r1
    mov r0, __HYPERVISOR_mmuext_op
    mov r1, mmuext
    mov r2, 1
    mov r3, 0
    vmcall
    ret

; ─── physical page frames (as kernel.s) ─────────────────────────────────

frames_init:
    ld r1, [start_info]             ; the builder put start_info and the p2m list right after our image:
    ld r2, [r1 + START_INFO_MFN_LIST]
    st [mfn_list], r2
    ld r1, [r1 + START_INFO_NR_PAGES]
    shl r1, r1, 2                   ; 4 bytes per page
    add r1, r1, r2
    add r1, r1, PAGE_SIZE - 1
    and r1, r1, ~(PAGE_SIZE - 1)
    st [low_next], r1               ; free frames start after them
    ld r1, [BOOT_INFO + BOOT_MODULE_PHYS]
    st [low_limit], r1
    ld r2, [BOOT_INFO + BOOT_MODULE_BYTES]
    add r1, r1, r2
    add r1, r1, PAGE_SIZE - 1
    and r1, r1, ~(PAGE_SIZE - 1)
    st [high_next], r1
    ld r1, [BOOT_INFO + BOOT_MEMORY_BYTES]
    st [high_limit], r1
    ret

phys_to_machine:                    ; r0 = physical address → r0 = machine address (keeps every other register)
    push r1
    push r2
    shr r1, r0, 12
    shl r1, r1, 2
    ld r2, [mfn_list]
    add r1, r1, r2
    ld r1, [r1]                     ; the machine frame of this physical frame (the p2m list)
    shl r1, r1, 12
    and r0, r0, PAGE_SIZE - 1
    or r0, r0, r1
    pop r2
    pop r1
    ret

machine_to_phys:                    ; r0 = machine address → r0 = physical address (keeps every other register)
    push r1
    shr r1, r0, 12
    shl r1, r1, 2
    ld r1, [r1 + MACH2PHYS_VIRT_START] ; the hypervisor's machine-to-phys table, read-only to us
    shl r1, r1, 12
    and r0, r0, PAGE_SIZE - 1
    or r0, r0, r1
    pop r1
    ret

alloc_table:                        ; returns r0 = a page-table frame from pt_pool (zero, never used), or 0
    ld r0, [pt_next]
    cmp r0, pt_pool_end
    jae .none
    push r1
    add r1, r0, PAGE_SIZE
    st [pt_next], r1
    pop r1
    ret
.none:
    mov r0, 0
    ret

alloc_frame:                        ; returns r0 = a zeroed frame, or 0 if memory is full
    ld r0, [free_list]
    cmp r0, 0
    je .fresh
    ld r1, [r0]
    st [free_list], r1
    jmp .zero
.fresh:
    ld r0, [low_next]
    ld r1, [low_limit]
    cmp r0, r1
    jae .high
    add r1, r0, PAGE_SIZE
    st [low_next], r1
    jmp .zero
.high:
    ld r0, [high_next]
    ld r1, [high_limit]
    cmp r0, r1
    jae .none
    add r1, r0, PAGE_SIZE
    st [high_next], r1
.zero:
    mov r1, r0
    add r2, r0, PAGE_SIZE
    mov r3, 0
.zero_loop:
    st [r1], r3
    st [r1 + 4], r3
    st [r1 + 8], r3
    st [r1 + 12], r3
    st [r1 + 16], r3
    st [r1 + 20], r3
    st [r1 + 24], r3
    st [r1 + 28], r3
    add r1, r1, 32
    cmp r1, r2
    jb .zero_loop
    ret
.none:
    mov r0, 0
    ret

free_frame:                         ; r1 = frame
    ld r2, [free_list]
    st [r1], r2
    st [free_list], r1
    ret

; ─── page tables: queued updates, sent in batches ───────────────────────
; The page tables are read-only to us. Each change is a request {machine
; address of the entry, new value} appended to mmu_queue; mmu_flush sends
; the queue in one mmu_update hypercall (Xen: "submitting a queue of
; updates, allowing batching for maximal performance"). Reading an entry is
; an ordinary load — of a machine frame, which machine_to_phys turns back.

mmu_queue_update:                   ; r1 = physical address of the entry, r2 = new value (keeps r3-r10)
    mov r0, r1
    call phys_to_machine            ; (MMU_NORMAL_PT_UPDATE: the command is the address's low bits, 0)
    push r1
    mov r1, r0
    ld r0, [mmu_count]
    shl r0, r0, 3
    st [r0 + mmu_queue], r1
    st [r0 + mmu_queue + 4], r2
    pop r1
    ld r0, [mmu_count]
    add r0, r0, 1
    st [mmu_count], r0
    cmp r0, MMU_QUEUE_LENGTH
    jae mmu_flush
    ret

mmu_flush:                          ; send the queued updates (keeps r3-r10)
    ld r2, [mmu_count]
    cmp r2, 0
    je .done
    push r3
    mov r0, __HYPERVISOR_mmu_update
    mov r1, mmu_queue
    mov r3, 0
    vmcall
    pop r3
    mov r0, 0
    st [mmu_count], r0
.done:
    ret

paging_init:
    push r11
    push r12
    call alloc_table
    st [page_dir], r0
    mov r11, PAGE_SIZE              ; map all memory for the kernel, but page 0
    ld r12, [BOOT_INFO + BOOT_MEMORY_BYTES]
.loop:
    mov r1, r11
    mov r2, r11
    mov r3, PTE_P | PTE_W
    cmp r11, pt_pool
    jb .map
    cmp r11, pt_pool_end
    jae .map
    mov r3, PTE_P                   ; a page-table page: read-only (Xen refuses a writable mapping of one)
.map:
    call map_page
    add r11, r11, PAGE_SIZE
    cmp r11, r12
    jb .loop
    call mmu_flush
    pop r12
    pop r11
    ret

map_page:                           ; r1 = virtual, r2 = physical, r3 = flags; r0 = 0 or -ENOMEM
    shr r4, r1, 22
    shl r4, r4, 2
    ld r5, [page_dir]
    add r4, r4, r5                  ; r4 = &PDE
    ld r6, [r4]
    test r6, PTE_P
    jne .have_table
    call alloc_table                ; keeps r1-r10
    cmp r0, 0
    je .nomem
    call phys_to_machine
    or r6, r0, PTE_P | PTE_W | PTE_U
    push r1
    push r2
    mov r1, r4
    mov r2, r6
    call mmu_queue_update
    call mmu_flush                  ; the new table must be in place before we read the PDE again
    pop r2
    pop r1
.have_table:
    mov r0, r6
    call machine_to_phys            ; the entry names the table's machine frame: ours to address is the physical one
    and r6, r0, ~(PAGE_SIZE - 1)
    shr r5, r1, 12
    and r5, r5, 0x3FF
    shl r5, r5, 2
    add r5, r5, r6                  ; r5 = &PTE (physical)
    mov r0, r2
    call phys_to_machine
    or r2, r0, r3                   ; the entry: machine frame and flags
    mov r1, r5
    call mmu_queue_update           ; no invlpg: the entry was not present, so no TLB holds it
    mov r0, 0
    ret
.nomem:
    mov r0, -ENOMEM
    ret

unmap_page:                         ; r1 = virtual; returns r0 = the frame it mapped, or 0
    shr r4, r1, 22
    shl r4, r4, 2
    ld r5, [page_dir]
    add r4, r4, r5
    ld r6, [r4]
    test r6, PTE_P
    je .none
    mov r0, r6
    call machine_to_phys
    and r6, r0, ~(PAGE_SIZE - 1)
    shr r5, r1, 12
    and r5, r5, 0x3FF
    shl r5, r5, 2
    add r5, r5, r6
    ld r7, [r5]
    test r7, PTE_P
    je .none
    mov r1, r5
    mov r2, 0
    call mmu_queue_update           ; the caller flushes the TLB once for the whole range
    mov r0, r7
    call machine_to_phys            ; the frame it mapped, as our allocator knows it
    and r0, r0, ~(PAGE_SIZE - 1)
    ret
.none:
    mov r0, 0
    ret

unmap_range:                        ; r1 = start, r2 = end: unmap and free every page
    push r11
    push r12
    mov r11, r1
    mov r12, r2
.loop:
    cmp r11, r12
    jae .done
    mov r1, r11
    call unmap_page
    cmp r0, 0
    je .next
    mov r1, r0
    call free_frame
.next:
    add r11, r11, PAGE_SIZE
    jmp .loop
.done:
    call mmu_flush
    call tlb_flush
    pop r12
    pop r11
    ret

; ─── the user program (as kernel.s) ─────────────────────────────────────

user_init:
    push r11
    push r12
    push r13
    ld r11, [BOOT_INFO + BOOT_MODULE_VIRT]
    ld r12, [BOOT_INFO + BOOT_MODULE_PHYS]
    ld r13, [BOOT_INFO + BOOT_MODULE_BYTES]
    add r13, r13, r11
.map:
    cmp r11, r13
    jae .stack
    mov r1, r11
    mov r2, r12
    mov r3, PTE_P | PTE_W | PTE_U
    call map_page
    add r11, r11, PAGE_SIZE
    add r12, r12, PAGE_SIZE
    jmp .map
.stack:
    mov r11, USER_TOP - USER_STACK_PAGES * PAGE_SIZE
.stack_loop:
    call alloc_frame
    mov r12, r0                     ; the last one is the top page's
    mov r1, r11
    mov r2, r0
    mov r3, PTE_P | PTE_W | PTE_U
    call map_page
    add r11, r11, PAGE_SIZE
    cmp r11, USER_TOP
    jb .stack_loop
    mov r1, r12
    call user_args
    call mmu_flush
    pop r13
    pop r12
    pop r11
    ret

.include "include/user-args.inc"

; ─── events and returning from the kernel ───────────────────────────────
; The hypervisor enters a handler with a frame like the CPU's (pc, cs,
; flags, and sp when it came from ring 3) and events masked. To return we
; push r0 and make the iret hypercall: it pops all of it, restores the
; event mask from the IF in the saved flags, and lets a pending event in.

irq_timer:                          ; the timer event: count the tick
    push r0
    ld r0, [ticks]
    add r0, r0, 1
    st [ticks], r0
    mov r0, __HYPERVISOR_iret       ; r0 was pushed: the hypervisor pops it back
    vmcall

; ─── system calls ───────────────────────────────────────────────────────
; `syscall` in ring 3 traps to the hypervisor, which bounces it here on our
; kernel stack with the same frame int 0x80 gets: pc, cs, flags, sp.

syscall_entry:
int80_entry:
    push r11
    push r12
    call save_user_registers
    call syscall_dispatch
    call restore_user_registers
    pop r12
    pop r11
    push r0                         ; the result, restored into r0 by the hypervisor
    mov r0, __HYPERVISOR_iret
    vmcall

save_user_registers:
    st [saved_regs + 4], r1
    st [saved_regs + 8], r2
    st [saved_regs + 12], r3
    st [saved_regs + 16], r4
    st [saved_regs + 20], r5
    st [saved_regs + 24], r6
    st [saved_regs + 28], r7
    st [saved_regs + 32], r8
    st [saved_regs + 36], r9
    st [saved_regs + 40], r10
    st [saved_regs + 52], r13
    st [saved_regs + 56], r14
    ret

restore_user_registers:
    ld r1, [saved_regs + 4]
    ld r2, [saved_regs + 8]
    ld r3, [saved_regs + 12]
    ld r4, [saved_regs + 16]
    ld r5, [saved_regs + 20]
    ld r6, [saved_regs + 24]
    ld r7, [saved_regs + 28]
    ld r8, [saved_regs + 32]
    ld r9, [saved_regs + 36]
    ld r10, [saved_regs + 40]
    ld r13, [saved_regs + 52]
    ld r14, [saved_regs + 56]
    ret

syscall_dispatch:                   ; r0 = number, r1-r4 = arguments
    cmp r0, SYS_exit_group
    je sys_exit
    cmp r0, SYSCALL_TABLE_SIZE
    jae .enosys
    shl r5, r0, 2
    ld r5, [r5 + syscall_table]
    cmp r5, 0
    je .enosys
    jmp r5
.enosys:
    mov r0, -ENOSYS
    ret

sys_getpid:
    mov r0, 1
    ret

sys_getppid:
    mov r0, 0
    ret

sys_exit:                           ; r1 = status
    and r1, r1, 0xFF
    jmp shutdown

sys_write:                          ; r1 = fd (1 or 2), r2 = buffer, r3 = length
    cmp r1, 1
    je .fd_ok
    cmp r1, 2
    jne .ebadf
.fd_ok:
    mov r1, r2
    mov r2, r3
    call access_ok
    cmp r0, 0
    jne .efault
    mov r3, r1                      ; buffer
    mov r0, __HYPERVISOR_console_io ; the hypervisor copies from the user buffer
    mov r1, CONSOLEIO_write         ; and says -EFAULT if it is not mapped
    vmcall
    ret
.ebadf:
    mov r0, -EBADF
    ret
.efault:
    mov r0, -EFAULT
    ret

sys_read:                           ; r1 = fd (0), r2 = buffer, r3 = length; waits for a byte
    cmp r1, 0
    jne .ebadf
    mov r1, r2
    mov r2, r3
    call access_ok
    cmp r0, 0
    jne .efault
    cmp r2, 0
    je .done
    mov r3, r1                      ; buffer
.again:
    mov r0, __HYPERVISOR_console_io
    mov r1, CONSOLEIO_read
    vmcall
    cmp r0, 0
    jne .done                       ; bytes read, or -EFAULT
    mov r0, __HYPERVISOR_sched_op   ; nothing yet: sleep until the next event
    mov r1, SCHEDOP_block           ; (blocking unmasks events; mask them again after)
    vmcall
    mov r1, 1
    stb [vcpu_info + VCPU_INFO_MASK], r1
    jmp .again
.done:
    ret
.ebadf:
    mov r0, -EBADF
    ret
.efault:
    mov r0, -EFAULT
    ret

access_ok:                          ; r1 = user address, r2 = length: r0 = 0 if all below USER_TOP
    add r4, r1, r2
    jb .bad
    cmp r4, USER_TOP
    ja .bad
    mov r0, 0
    ret
.bad:
    mov r0, -1
    ret

sys_mmap:                           ; as kernel.s; the mappings go out in one batch at the end
    push r11
    push r12
    push r13
    push r14
    cmp r2, 0
    je .einval
    add r2, r2, PAGE_SIZE - 1
    and r2, r2, ~(PAGE_SIZE - 1)
    ld r11, [mmap_next]
    add r12, r11, r2
    cmp r12, MMAP_LIMIT
    ja .enomem
    mov r13, r11
.loop:
    cmp r13, r12
    jae .done
    call alloc_frame
    cmp r0, 0
    je .unwind
    mov r14, r0
    mov r1, r13
    mov r2, r0
    mov r3, PTE_P | PTE_W | PTE_U
    call map_page
    cmp r0, 0
    jne .unwind_frame
    add r13, r13, PAGE_SIZE
    jmp .loop
.done:
    call mmu_flush
    st [mmap_next], r12
    mov r0, r11
    jmp .out
.unwind_frame:
    mov r1, r14
    call free_frame
.unwind:
    call mmu_flush
    mov r1, r11
    mov r2, r13
    call unmap_range
.enomem:
    mov r0, -ENOMEM
    jmp .out
.einval:
    mov r0, -EINVAL
.out:
    pop r14
    pop r13
    pop r12
    pop r11
    ret

sys_munmap:                         ; r1 = address, r2 = length
    test r1, PAGE_SIZE - 1
    jne .einval
    cmp r1, MMAP_BASE
    jb .einval
    add r2, r2, PAGE_SIZE - 1
    and r2, r2, ~(PAGE_SIZE - 1)
    add r2, r1, r2
    ld r3, [mmap_next]
    cmp r2, r3
    ja .einval
    push r1
    push r2
    call unmap_range
    pop r2
    pop r1
    ld r3, [mmap_next]
    cmp r2, r3
    jne .ok
    st [mmap_next], r1
.ok:
    mov r0, 0
    ret
.einval:
    mov r0, -EINVAL
    ret

; ─── faults (the frame is the CPU's, with a ring-1 cs for kernel faults) ─

fault_de:
    push 0
    push VEC_DE
    jmp fault_common
fault_ud:
    push 0
    push VEC_UD
    jmp fault_common
fault_gp:
    push VEC_GP
    jmp fault_common
fault_pf:
    push VEC_PF
    jmp fault_common

FRAME_VECTOR = 0
FRAME_ERROR = 4
FRAME_PC = 8
FRAME_CS = 12
FRAME_SP = 20

fault_common:
    ld r1, [sp + FRAME_CS]
    and r1, r1, 3
    cmp r1, 3
    je user_fault
    jmp kernel_panic                ; the hypervisor checks user pointers: no fixups needed

user_fault:
    ld r1, [sp + FRAME_VECTOR]
    cmp r1, VEC_PF
    je .segfault
    mov r1, msg_traps
    call kprint
    mov r1, comm
    call kprint
    mov r1, msg_pid1
    call kprint
    ld r1, [sp + FRAME_VECTOR]
    call vector_name
    mov r1, r0
    call kprint
    mov r1, msg_ip_colon
    call kprint
    ld r1, [sp + FRAME_PC]
    call kprint_hex
    mov r1, msg_sp_colon
    call kprint
    ld r1, [sp + FRAME_SP]
    call kprint_hex
    mov r1, msg_error_colon
    call kprint
    ld r1, [sp + FRAME_ERROR]
    call kprint_hex
    mov r1, msg_newline
    call kprint
    ld r1, [sp + FRAME_VECTOR]
    mov r2, 128 + SIGILL
    cmp r1, VEC_UD
    je .exit
    mov r2, 128 + SIGFPE
    cmp r1, VEC_DE
    je .exit
    mov r2, 128 + SIGSEGV
    jmp .exit
.segfault:
    mov r1, comm
    call kprint
    mov r1, msg_segfault
    call kprint
    ld r1, [vcpu_info + VCPU_INFO_CR2] ; the hypervisor keeps cr2 for us
    call kprint_hex
    mov r1, msg_ip
    call kprint
    ld r1, [sp + FRAME_PC]
    call kprint_hex
    mov r1, msg_sp
    call kprint
    ld r1, [sp + FRAME_SP]
    call kprint_hex
    mov r1, msg_error
    call kprint
    ld r1, [sp + FRAME_ERROR]
    call kprint_hex
    mov r1, msg_newline
    call kprint
    mov r2, 128 + SIGSEGV
.exit:
    mov r1, r2
    jmp shutdown

kernel_panic:
    mov r1, msg_panic
    call kprint
    ld r1, [sp + FRAME_VECTOR]
    call vector_name
    mov r1, r0
    call kprint
    mov r1, msg_ip
    call kprint
    ld r1, [sp + FRAME_PC]
    call kprint_hex
    mov r1, msg_cr2
    call kprint
    ld r1, [vcpu_info + VCPU_INFO_CR2]
    call kprint_hex
    mov r1, msg_newline
    call kprint
    mov r1, 255
    jmp shutdown

vector_name:
    mov r0, name_gp
    cmp r1, VEC_GP
    je .done
    mov r0, name_ud
    cmp r1, VEC_UD
    je .done
    mov r0, name_de
    cmp r1, VEC_DE
    je .done
    mov r0, name_pf
.done:
    ret

; ─── printing: one console_io hypercall per string ──────────────────────

kprint:                             ; r1 = zero-terminated string
    mov r2, r1
.len:
    ldb r3, [r2]
    cmp r3, 0
    je .write
    add r2, r2, 1
    jmp .len
.write:
    sub r2, r2, r1                  ; length
    mov r3, r1
    mov r0, __HYPERVISOR_console_io
    mov r1, CONSOLEIO_write
    vmcall
    ret

kprint_hex:                         ; r1 = value, printed like %lx (no leading zeros)
    mov r3, 28
    mov r4, 0                       ; 1 once a digit has been kept
    mov r5, hex_buffer
.loop:
    shr r2, r1, r3
    and r2, r2, 0xF
    cmp r3, 0
    je .keep
    cmp r4, 0
    jne .keep
    cmp r2, 0
    je .next
.keep:
    mov r4, 1
    ldb r2, [r2 + hex_digits]
    stb [r5], r2
    add r5, r5, 1
.next:
    cmp r3, 0
    je .write
    sub r3, r3, 4
    jmp .loop
.write:
    mov r3, hex_buffer
    sub r2, r5, r3
    mov r0, __HYPERVISOR_console_io
    mov r1, CONSOLEIO_write
    vmcall
    ret

; ─── data ───────────────────────────────────────────────────────────────

__xen_guest:    .asciz "GUEST_OS=ringlab,XEN_VER=xen-3.0,HYPERCALL=vmcall" ; "I am ported": the hypervisor looks for this
msg_not_pv:     .asciz "ringlab-kernel-pv: not running on a hypervisor (CPL 0): run me with --technique paravirt\n"
msg_no_boot:    .asciz "ringlab-kernel-pv: no boot information at 0x500: run me with a user program (ringlab run hello --technique paravirt)\n"
msg_traps:      .asciz "traps: "
msg_pid1:       .asciz "[1] "
msg_segfault:   .asciz "[1]: segfault at "
msg_ip:         .asciz " ip "
msg_sp:         .asciz " sp "
msg_error:      .asciz " error "
msg_ip_colon:   .asciz " ip:"
msg_sp_colon:   .asciz " sp:"
msg_error_colon: .asciz " error:"
msg_cr2:        .asciz " cr2 "
msg_newline:    .asciz "\n"
msg_panic:      .asciz "ringlab-kernel-pv: kernel panic: "
msg_pin_refused: .asciz "ringlab-kernel-pv: the hypervisor refused our page directory (mmuext_op PIN_L2_TABLE / NEW_BASEPTR)\n"
name_gp:        .asciz "general protection fault"
name_ud:        .asciz "trap invalid opcode"
name_de:        .asciz "trap divide error"
name_pf:        .asciz "page fault"
hex_digits:     .ascii "0123456789abcdef"
hex_buffer:     .space 8

.align 4
vcpu_info:      .space 16           ; pending byte, mask byte, pending selector, cr2
page_dir:       .word 0
low_next:       .word 0
low_limit:      .word 0
high_next:      .word 0
high_limit:     .word 0
free_list:      .word 0
mmap_next:      .word MMAP_BASE
ticks:          .word 0
mmu_count:      .word 0
mmuext:         .space 16           ; two mmuext_ops: command, argument
start_info:     .word 0             ; the domain builder's start_info (physical address)
mfn_list:       .word 0             ; its p2m list: the machine frame of each physical frame
pt_next:        .word pt_pool
user_start_sp:  .word 0             ; where the user stack starts: argc, argv, envp (user_args)
comm:           .space 16           ; the program's name for messages, as Linux's comm
saved_regs:     .space 64
mmu_queue:      .space MMU_QUEUE_LENGTH * 8

syscall_table:
    .word sys_read                  ; 0
    .word sys_write                 ; 1
    .org syscall_table + SYS_mmap * 4
    .word sys_mmap
    .org syscall_table + SYS_munmap * 4
    .word sys_munmap
    .org syscall_table + SYS_getpid * 4
    .word sys_getpid
    .org syscall_table + SYS_exit * 4
    .word sys_exit
    .org syscall_table + SYS_getppid * 4
    .word sys_getppid
    .org syscall_table + SYSCALL_TABLE_SIZE * 4

; The trap table: vector | flags << 8 | code selector << 16, then the handler.
TRAP_KERNEL = SEL_RING1 << 16                        ; handlers run in ring 1
trap_table:
    .word VEC_DE | (TI_MASK_EVENTS << 8) | TRAP_KERNEL, fault_de
    .word VEC_UD | (TI_MASK_EVENTS << 8) | TRAP_KERNEL, fault_ud
    .word VEC_GP | (TI_MASK_EVENTS << 8) | TRAP_KERNEL, fault_gp
    .word VEC_PF | (TI_MASK_EVENTS << 8) | TRAP_KERNEL, fault_pf
    .word VEC_TIMER | (TI_MASK_EVENTS << 8) | TRAP_KERNEL, irq_timer
    .word 0x80 | ((3 | TI_MASK_EVENTS) << 8) | TRAP_KERNEL, int80_entry ; int 0x80, open to ring 3
    .word 0, 0                                       ; end

.align 16
kstack:         .space KSTACK_SIZE
kstack_top:

.align PAGE_SIZE
pt_pool:        .space PT_POOL_PAGES * PAGE_SIZE ; page tables and the page directory
pt_pool_end:

.align PAGE_SIZE
kernel_end:
