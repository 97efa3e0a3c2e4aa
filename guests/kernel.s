; kernel.s — a tiny guest kernel for the ringlab machine.
;
; What it does, in order (each step is a routine below):
;   1. takes the boot information the loader left at physical 0x500;
;   2. fills an interrupt descriptor table (IDT) and loads it with lidt;
;   3. loads a task register whose TSS says where ring 0's stack is, so the
;      CPU can switch stacks when a ring-3 program traps into the kernel;
;   4. sets the syscall entry point (IA32_LSTAR) for the fast syscall path;
;   5. builds page tables: all of physical memory mapped for the kernel
;      (supervisor only), the user program mapped at the address it was
;      assembled for (user, writable) and a user stack below 0xC0000000;
;   6. turns paging on, starts the timer, and drops to ring 3 with iret.
; Then it serves system calls (Linux x86-64 numbers, see
; include/syscalls.inc) and interrupts until the program exits.
;
; Register conventions inside the kernel: arguments in r1-r4, result in r0;
; a routine may clobber r0-r10 and must preserve r11-r14.

.include "include/machine.inc"
.include "include/syscalls.inc"

USER_TOP        = 0xC0000000    ; user addresses are below this (as i386 Linux)
USER_STACK_PAGES = 4
MMAP_BASE       = 0x10000000    ; where mmap puts anonymous memory
MMAP_LIMIT      = 0x20000000
TIMER_COUNT     = 1193          ; PIT count for a 1 ms tick (1193182 Hz / 1000)
KSTACK_SIZE     = 8192
SYSCALL_TABLE_SIZE = 256
SIGILL = 4
SIGFPE = 8
SIGSEGV = 11

.org 0x1000
_start:
    mov sp, kstack_top
    ld r1, [BOOT_INFO]              ; did a loader give us a user program?
    cmp r1, BOOT_MAGIC
    jne no_boot_info
    call idt_init
    call tss_init
    call syscall_init
    call frames_init
    call paging_init
    call user_init
    call timer_init
    ld r11, [BOOT_INFO + BOOT_MODULE_ENTRY] ; read it now: page 0 is unmapped once paging is on

    ld r1, [page_dir]               ; paging on: cr3 = page directory, then cr0.PG
    mov cr3, r1
    mov r1, CR0_PG | CR0_WP
    mov cr0, r1

    ; Drop to ring 3. iret pops pc, cs, flags and — because the new ring is
    ; outer — sp, so push them in the opposite order.
    ld r1, [user_start_sp]          ; the user stack pointer: argc, argv, envp there
    push r1
    push FLAGS_IF | FLAGS_ONE       ; interrupts on, IOPL 0
    push SEL_RING3                  ; a ring-3 code selector: CPL becomes 3
    push r11                        ; the user program's entry point
    call clear_registers            ; leak nothing of the kernel's to the user
    iret

no_boot_info:
    mov r1, msg_no_boot
    call kprint
    mov r1, 1
    out PORT_DEBUG_EXIT, r1
    cli
    hlt

clear_registers:
    mov r0, 0
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

; ─── interrupt descriptor table ─────────────────────────────────────────

idt_init:
    mov r1, VEC_DE
    mov r2, fault_de
    mov r3, GATE_INTR_RING0
    call set_gate
    mov r1, VEC_UD
    mov r2, fault_ud
    call set_gate
    mov r1, VEC_DF
    mov r2, fault_df
    call set_gate
    mov r1, VEC_GP
    mov r2, fault_gp
    call set_gate
    mov r1, VEC_PF
    mov r2, fault_pf
    call set_gate
    mov r1, VEC_TIMER
    mov r2, irq_timer
    call set_gate
    mov r1, 0x80                    ; int 0x80: the old system-call gate, open to ring 3
    mov r2, int80_entry
    mov r3, GATE_INTR_USER
    call set_gate
    lidt [idt_descriptor]
    ret

set_gate:                           ; r1 = vector, r2 = handler, r3 = attributes
    shl r4, r1, 3
    add r4, r4, idt
    st [r4], r2
    st [r4 + 4], r3
    ret

; ─── task state segment: ring 0's stack ─────────────────────────────────

tss_init:
    mov r1, kstack_top
    st [tss + TSS_SP0], r1
    mov r1, tss
    ltr r1
    ret

; ─── the fast system-call path ──────────────────────────────────────────

syscall_init:
    mov r1, IA32_LSTAR
    mov r2, syscall_entry
    wrmsr r1, r2
    mov r1, IA32_FMASK              ; syscall clears IF: no interrupt while on the user stack
    mov r2, FLAGS_IF
    wrmsr r1, r2
    ret

; ─── physical page frames ───────────────────────────────────────────────
; Free frames: from the end of the kernel up to the user program (the "low"
; region), then from the end of the user program to the end of memory.
; Freed frames go on a list threaded through their first word.

frames_init:
    mov r1, kernel_end
    st [low_next], r1
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
.zero:                              ; clear_page, eight words at a time
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

; ─── page tables ────────────────────────────────────────────────────────

paging_init:
    push r11
    push r12
    call alloc_frame
    st [page_dir], r0
    ; Map all physical memory for the kernel (supervisor, writable), except
    ; page 0: a kernel null-pointer access then faults instead of working.
    mov r11, PAGE_SIZE
    ld r12, [BOOT_INFO + BOOT_MEMORY_BYTES]
.loop:
    mov r1, r11
    mov r2, r11
    mov r3, PTE_P | PTE_W
    call map_page
    add r11, r11, PAGE_SIZE
    cmp r11, r12
    jb .loop
    pop r12
    pop r11
    ret

map_page:                           ; r1 = virtual, r2 = physical, r3 = flags; r0 = 0 or -ENOMEM
    shr r4, r1, 22                  ; page-directory index: top 10 bits
    shl r4, r4, 2
    ld r5, [page_dir]
    add r4, r4, r5                  ; r4 = &PDE
    ld r6, [r4]
    test r6, PTE_P
    jne .have_table
    push r1
    push r2
    push r3
    push r4
    call alloc_frame                ; a new, empty page table
    pop r4
    pop r3
    pop r2
    pop r1
    cmp r0, 0
    je .nomem
    or r6, r0, PTE_P | PTE_W | PTE_U ; the PTE decides the real rights
    st [r4], r6
.have_table:
    and r6, r6, ~(PAGE_SIZE - 1)
    shr r5, r1, 12                  ; page-table index: next 10 bits
    and r5, r5, 0x3FF
    shl r5, r5, 2
    add r5, r5, r6                  ; r5 = &PTE
    or r7, r2, r3
    st [r5], r7
    invlpg [r1]                     ; the TLB may hold the old translation
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
    and r6, r6, ~(PAGE_SIZE - 1)
    shr r5, r1, 12
    and r5, r5, 0x3FF
    shl r5, r5, 2
    add r5, r5, r6
    ld r0, [r5]
    test r0, PTE_P
    je .none
    mov r7, 0
    st [r5], r7
    invlpg [r1]
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
    pop r12
    pop r11
    ret

; ─── the user program ───────────────────────────────────────────────────

user_init:                          ; map the program where it was assembled, and a stack
    push r11
    push r12
    push r13
    ld r11, [BOOT_INFO + BOOT_MODULE_VIRT]
    ld r12, [BOOT_INFO + BOOT_MODULE_PHYS]
    ld r13, [BOOT_INFO + BOOT_MODULE_BYTES]
    add r13, r13, r11               ; r13 = end of the program (virtual)
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
    pop r13
    pop r12
    pop r11
    ret

.include "include/user-args.inc"

; ─── the timer ──────────────────────────────────────────────────────────

timer_init:
    mov r1, PIT_RATE_GEN
    out PORT_PIT_CMD, r1
    mov r1, TIMER_COUNT & 0xFF
    out PORT_PIT_CH0, r1
    mov r1, TIMER_COUNT >> 8
    out PORT_PIT_CH0, r1
    mov r1, 0xFE                    ; unmask IRQ0 (the timer) only
    out PORT_PIC_DATA, r1
    ret

irq_timer:                          ; IRQ0: count the tick, tell the PIC we are done
    push r0
    ld r0, [ticks]
    add r0, r0, 1
    st [ticks], r0
    mov r0, PIC_EOI
    out PORT_PIC_CMD, r0
    pop r0
    iret

; ─── system calls ───────────────────────────────────────────────────────
; Two ways in, one table. `syscall` (fast): the CPU saves the return pc in
; r12 and flags in r11, sets CPL 0 and jumps here — still on the user's
; stack, so the first thing is to switch stacks. `int 0x80` (classic): the
; CPU switches to the TSS stack itself and pushes sp, flags, cs, pc.

syscall_entry:
    st [user_sp], sp
    mov sp, kstack_top
    push r11                        ; user flags
    push r12                        ; user pc
    call save_user_registers
    call syscall_dispatch
    call restore_user_registers
    pop r12
    pop r11
    ld sp, [user_sp]
    sysret

int80_entry:
    push r11
    push r12
    call save_user_registers
    call syscall_dispatch
    call restore_user_registers
    pop r12
    pop r11
    iret

; Keep the user's registers (but r0, the result) as they were.
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
    jmp r5                          ; the handler's ret returns to our caller
.enosys:
    mov r0, -ENOSYS
    ret

sys_getpid:                         ; the first (and only) user process is PID 1, like init
    mov r0, 1
    ret

sys_getppid:
    mov r0, 0
    ret

sys_exit:                           ; r1 = status: power the machine off with it
    and r1, r1, 0xFF
    out PORT_DEBUG_EXIT, r1
    cli
    hlt

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
    jmp console_write_user
.ebadf:
    mov r0, -EBADF
    ret
.efault:
    mov r0, -EFAULT
    ret

sys_read:                           ; r1 = fd (0), r2 = buffer, r3 = length
    cmp r1, 0
    jne .ebadf
    mov r1, r2
    mov r2, r3
    call access_ok
    cmp r0, 0
    jne .efault
    jmp console_read_user
.ebadf:
    mov r0, -EBADF
    ret
.efault:
    mov r0, -EFAULT
    ret

access_ok:                          ; r1 = user address, r2 = length: r0 = 0 if all below USER_TOP
    add r3, r1, r2
    jb .bad                         ; wrapped around 4 GiB
    cmp r3, USER_TOP
    ja .bad
    mov r0, 0
    ret
.bad:
    mov r0, -1
    ret

sys_mmap:                           ; r1 = address hint (ignored), r2 = length: anonymous memory
    push r11
    push r12
    push r13
    push r14
    cmp r2, 0
    je .einval
    add r2, r2, PAGE_SIZE - 1
    and r2, r2, ~(PAGE_SIZE - 1)
    ld r11, [mmap_next]             ; r11 = start
    add r12, r11, r2                ; r12 = end
    cmp r12, MMAP_LIMIT
    ja .enomem
    mov r13, r11                    ; r13 = next page to map
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
    st [mmap_next], r12
    mov r0, r11
    jmp .out
.unwind_frame:
    mov r1, r14
    call free_frame
.unwind:
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
    add r2, r1, r2                  ; r2 = end
    ld r3, [mmap_next]
    cmp r2, r3
    ja .einval
    push r1
    push r2
    call unmap_range
    pop r2
    pop r1
    ld r3, [mmap_next]              ; unmapping the top of the area gives the addresses back
    cmp r2, r3
    jne .ok
    st [mmap_next], r1
.ok:
    mov r0, 0
    ret
.einval:
    mov r0, -EINVAL
    ret

; ─── touching user memory ───────────────────────────────────────────────
; A user pointer may be bad. Everything between uaccess_start and
; uaccess_end may fault; the page-fault handler then resumes at
; uaccess_fixup, which returns -EFAULT from the routine (this is what
; Linux's exception tables do). These routines must not push: the fixup's
; ret relies on the stack being as it was on entry.

uaccess_start:
console_write_user:                 ; r1 = user buffer, r2 = length; r0 = bytes written
    mov r0, r2
.loop:
    cmp r2, 0
    je .done
    ldb r3, [r1]
    out PORT_COM1, r3
    add r1, r1, 1
    sub r2, r2, 1
    jmp .loop
.done:
    ret

console_read_user:                  ; r1 = user buffer, r2 = length; waits for one byte at least
    mov r0, 0
    cmp r2, 0
    je .done
.wait:
    in r3, PORT_COM1_LSR
    test r3, 1
    je .wait
.loop:
    in r3, PORT_COM1
    stb [r1], r3
    add r0, r0, 1
    add r1, r1, 1
    cmp r0, r2
    jae .done
    in r3, PORT_COM1_LSR
    test r3, 1
    jne .loop
.done:
    ret
uaccess_end:

uaccess_fixup:
    mov r0, -EFAULT
    ret

; ─── faults ─────────────────────────────────────────────────────────────
; Each entry makes the same frame: vector, error code (0 where the CPU
; pushes none), then what the CPU pushed: pc, cs, flags (and sp if the
; fault came from ring 3).

fault_de:
    push 0
    push VEC_DE
    jmp fault_common
fault_ud:
    push 0
    push VEC_UD
    jmp fault_common
fault_df:
    push VEC_DF
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
    ; In the kernel. A page fault while touching user memory is the user's
    ; doing: resume at the fixup. Anything else is a kernel bug.
    ld r1, [sp + FRAME_VECTOR]
    cmp r1, VEC_PF
    jne kernel_panic
    ld r1, [sp + FRAME_PC]
    cmp r1, uaccess_start
    jb kernel_panic
    cmp r1, uaccess_end
    jae kernel_panic
    mov r1, uaccess_fixup
    st [sp + FRAME_PC], r1
    add sp, sp, 8                   ; drop vector and error code
    iret

user_fault:                         ; print what Linux would, then end the program
    ld r1, [sp + FRAME_VECTOR]
    cmp r1, VEC_PF
    je .segfault
    mov r1, msg_traps               ; "traps: hello[1] general protection fault ip:… sp:… error:…"
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
.segfault:                          ; "hello[1]: segfault at 0 ip 400010 sp bfffffe0 error 6"
    mov r1, comm
    call kprint
    mov r1, msg_segfault
    call kprint
    mov r1, cr2
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
    mov r2, 128 + SIGSEGV           ; a shell reports this as status 139
.exit:
    out PORT_DEBUG_EXIT, r2
    cli
    hlt

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
    mov r1, cr2
    call kprint_hex
    mov r1, msg_newline
    call kprint
    mov r1, 255
    out PORT_DEBUG_EXIT, r1
    cli
    hlt

vector_name:                        ; r1 = vector; r0 = its name
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
    cmp r1, VEC_PF
    je .done
    mov r0, name_df
.done:
    ret

; ─── printing (the console is COM1) ─────────────────────────────────────

kprint:                             ; r1 = zero-terminated string
    ldb r2, [r1]
    cmp r2, 0
    je .done
    out PORT_COM1, r2
    add r1, r1, 1
    jmp kprint
.done:
    ret

kprint_hex:                         ; r1 = value, printed like %lx (no leading zeros)
    mov r3, 28
    mov r4, 0                       ; 1 once a digit has been printed
.loop:
    shr r2, r1, r3
    and r2, r2, 0xF
    cmp r3, 0
    je .print                       ; always print the last digit
    cmp r4, 0
    jne .print
    cmp r2, 0
    je .next
.print:
    mov r4, 1
    ldb r2, [r2 + hex_digits]
    out PORT_COM1, r2
.next:
    cmp r3, 0
    je .done
    sub r3, r3, 4
    jmp .loop
.done:
    ret

; ─── data ───────────────────────────────────────────────────────────────

msg_no_boot:    .asciz "ringlab-kernel: no boot information at 0x500: run me with a user program (ringlab run hello)\n"
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
msg_panic:      .asciz "ringlab-kernel: kernel panic: "
name_gp:        .asciz "general protection fault"
name_ud:        .asciz "trap invalid opcode"
name_de:        .asciz "trap divide error"
name_pf:        .asciz "page fault"
name_df:        .asciz "double fault"
hex_digits:     .ascii "0123456789abcdef"

.align 4
page_dir:       .word 0
low_next:       .word 0
low_limit:      .word 0
high_next:      .word 0
high_limit:     .word 0
free_list:      .word 0
mmap_next:      .word MMAP_BASE
user_sp:        .word 0
ticks:          .word 0
user_start_sp:  .word 0             ; where the user stack starts: argc, argv, envp (user_args)
comm:           .space 16           ; the program's name for messages, as Linux's comm
saved_regs:     .space 64

syscall_table:                      ; indexed by system call number; 0 = ENOSYS
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

idt_descriptor:
    .word 256 * 8 - 1               ; limit: size in bytes - 1, as x86
    .word idt                       ; base
idt:            .space 256 * 8
tss:            .space 104

.align 16
kstack:         .space KSTACK_SIZE
kstack_top:

.align PAGE_SIZE
kernel_end:
