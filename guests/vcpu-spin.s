; vcpu-spin.s — a CPU-bound guest for the hypervisor's scheduler: every vCPU
; spins forever adding 1 to its own counter, so the counters say how much
; CPU each vCPU was given (the guest's view of the scheduler's shares).
;
; vCPU 0 boots at _start. A vCPU the VMM adds later (hot-plug) starts at
; ap_entry_N with nothing but its entry point, as Xen's VCPUOP_initialise
; gives a new vCPU its first context; the entry point tells it which it is.
; It never prints and never stops: the scheduler runs it for as long as it
; likes (source/hypervisor/scheduler/).

MAX_VCPUS = 4

.org 0x1000
_start:
    mov r1, 0
    jmp spin
ap_entry_1:
    mov r1, 1
    jmp spin
ap_entry_2:
    mov r1, 2
    jmp spin
ap_entry_3:
    mov r1, 3
    jmp spin

spin:                               ; r1 = this vCPU's number
    shl r2, r1, 2
    add r2, r2, counters            ; r2 = &counters[vcpu]
.loop:
    ld r3, [r2]
    add r3, r3, 1
    st [r2], r3
    jmp .loop

; The counters live on a page of their own: a store to a page holding
; translated code would drop the translation on every iteration.
.align 4096
counters:       .space 4 * MAX_VCPUS
