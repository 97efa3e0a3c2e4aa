// Command history as bash keeps it: ↑ walks back through earlier lines,
// ↓ forward and finally back to what was being typed; an immediate repeat
// or a blank line is not stored again. Bounded.

export const maxHistory = 1000;

export class History {
	readonly entries: string[] = [];
	/** Position while browsing: entries.length means "the line being typed". */
	private cursor = 0;
	private draft = '';

	add(line: string): void {
		const trimmed = line.trim();
		if (trimmed !== '' && this.entries.at(-1) !== line) {
			this.entries.push(line);
			if (this.entries.length > maxHistory) this.entries.shift();
		}

		this.reset();
	}

	/** Stop browsing (after a line is submitted or edited). */
	reset(): void {
		this.cursor = this.entries.length;
		this.draft = '';
	}

	/** ↑: the previous entry, or undefined at the oldest. `current` is kept as the draft. */
	previous(current: string): string | undefined {
		if (this.cursor === 0) return undefined;
		if (this.cursor === this.entries.length) this.draft = current;
		this.cursor--;
		return this.entries[this.cursor];
	}

	/** ↓: the next entry, the draft after the newest, or undefined when not browsing. */
	next(): string | undefined {
		if (this.cursor >= this.entries.length) return undefined;
		this.cursor++;
		return this.cursor === this.entries.length ? this.draft : this.entries[this.cursor];
	}
}
