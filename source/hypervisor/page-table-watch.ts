// Counts the guest's page-table updates where nothing traps them: natively
// (the kernel owns the machine) and under nested paging (the CPU walks the
// guest's own tables through the EPT). A page-table update is a store by the
// guest to a frame it uses as a page-table page — its current page directory
// or a page table one of the directory's present entries points to. Those
// frames are marked in memory.codePages (PAGE_WATCHED), so the CPU reports
// each store to them (cpu.onWatchedStore) without a check of its own on the
// ordinary store path; the set is recomputed when cr0 or cr3 is written and
// when a directory entry changes. Each update costs what the store cost —
// nothing traps — so the compare table's "PT update" column is counted here
// as it is for the techniques where the VMM sees every update.

import {CR0_PG, PAGE_SHIFT, PTE_P} from '../machine/arch.js';
import {cycleCosts} from '../machine/costs.js';
import type {Cpu} from '../machine/cpu.js';
import {PAGE_WATCHED} from '../machine/memory.js';
import type {Tally} from './counters.js';
import type {PagingRegisters} from './guest-paging.js';

export class PageTableWatch {
	readonly updates: Tally = {count: 0, cycles: 0};
	/** Host frame numbers marked PAGE_WATCHED. */
	private watched = new Set<number>();
	/** Host frame number of the page directory, or -1 with paging off. */
	private directory = -1;

	/**
	 * @param registers the guest's cr0 and cr3 now (natively the CPU's; under
	 *   nested paging the guest's, live or saved in the VMCS)
	 * @param toHost guest-physical → host-physical (identity natively; the p2m
	 *   under nested paging), or -1
	 */
	constructor(
		private readonly cpu: Cpu,
		private readonly registers: () => PagingRegisters,
		private readonly toHost: (gpa: number) => number = gpa => gpa,
	) {
		cpu.onWatchedStore = pa => {
			this.stored(pa);
		};

		cpu.onPagingChange = () => {
			this.refresh();
		};

		this.refresh();
	}

	/** Recompute which frames are page-table pages: the directory at cr3 and the tables its present entries name. */
	refresh(): void {
		const {memory} = this.cpu;
		const registers = this.registers();
		const next = new Set<number>();
		this.directory = -1;
		if (registers.cr0 & CR0_PG) {
			const pd = this.toHost(registers.cr3 & ~0xfff);
			if (pd >= 0 && pd < memory.size) {
				this.directory = pd >>> PAGE_SHIFT;
				next.add(this.directory);
				for (let slot = 0; slot < 1024; slot++) {
					const pde = memory.words[(pd >>> 2) + slot];
					if (!(pde & PTE_P)) continue;
					const table = this.toHost(pde & ~0xfff);
					if (table >= 0 && table < memory.size) next.add(table >>> PAGE_SHIFT);
				}
			}
		}

		for (const frame of this.watched) if (!next.has(frame)) memory.codePages[frame] &= ~PAGE_WATCHED;
		for (const frame of next) memory.codePages[frame] |= PAGE_WATCHED;
		this.watched = next;
	}

	/** Stop watching: unmark the frames and unhook from the CPU. */
	detach(): void {
		for (const frame of this.watched) this.cpu.memory.codePages[frame] &= ~PAGE_WATCHED;
		this.watched.clear();
		this.cpu.onWatchedStore = undefined;
		this.cpu.onPagingChange = undefined;
	}

	private stored(pa: number): void {
		this.updates.count++;
		this.updates.cycles += cycleCosts.store; // the store is the whole update: nothing traps
		if (pa >>> PAGE_SHIFT === this.directory) this.refresh(); // a directory entry changed: so may the set of tables
	}
}
