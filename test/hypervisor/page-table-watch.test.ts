// Page-table updates where nothing traps them (natively, and under nested
// paging) are counted as stores to the guest's page-table pages: the page
// directory at cr3 and the tables its present entries name. Stores
// elsewhere are not updates; a new directory entry makes its table watched.

import test from 'ava';
import {PageTableWatch} from '../../source/hypervisor/page-table-watch.js';
import {assemble} from '../../source/machine/assembler.js';
import {Machine} from '../../source/machine/machine.js';
import {cycleCosts} from '../../source/machine/costs.js';
import {PAGE_WATCHED} from '../../source/machine/memory.js';

function watched(body: string): {updates: number; cycles: number; machine: Machine} {
	const program = assemble(`.org 0x1000
    mov sp, 0x8000
    mov r1, pt0
    or r1, r1, 3
    st [pd], r1                     ; paging is off: not yet a page-table update
    mov r2, 0
ident:
    shl r3, r2, 12
    or r3, r3, 3
    shl r4, r2, 2
    st [r4 + pt0], r3
    add r2, r2, 1
    cmp r2, 1024
    jb ident
    mov r1, pd
    mov cr3, r1
    mov r1, 0x80010000
    mov cr0, r1
${body}
    hlt
.align 4096
pd: .space 4096
pt0: .space 4096
pt1: .space 4096
data: .space 4096
`, 'watch.s');
	const machine = new Machine();
	machine.load(program);
	const watch = new PageTableWatch(machine.cpu, () => machine.cpu);
	machine.run(100_000);
	watch.detach();
	return {updates: watch.updates.count, cycles: watch.updates.cycles, machine};
}

test('stores to the page directory and its tables are counted once paging is on; other stores are not', t => {
	const none = watched('    mov r1, 5\n    st [data], r1\n    st [data + 8], r1');
	t.is(none.updates, 0, 'the tables were built with paging off, and data is not a table');
	const some = watched(`
    mov r3, data | 3
    st [pt0 + 0x10 * 4], r3         ; a PTE: an update
    st [data], r3                   ; not an update
    mov r1, pt1
    or r1, r1, 3
    st [pd + 4], r1                 ; a PDE: an update, and pt1 is a page table from now on
    st [pt1], r3                    ; an update
    stb [pt1 + 4], r3               ; a byte store to a table counts too`);
	t.is(some.updates, 4);
	t.is(some.cycles, 4 * cycleCosts.store, 'nothing traps: each update costs its store');
	t.is(some.machine.memory.codePages.reduce((sum, mark) => sum + (mark & PAGE_WATCHED), 0), 0, 'detach leaves no page watched');
});
