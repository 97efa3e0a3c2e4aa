// The migrations a lab has done, as lesson checkpoints read them (`migrated`):
// one record per finished migration, kept by the lab object they happened
// in. Plain data, so a checkpoint can read it without loading the engine.

export type MigrationRecord = {
	/** The VM's name in the lab. */
	vm: string;
	mode: string;
	downtimeMs: number;
	totalMs: number;
	rounds: number;
	pagesSent: number;
};

const byLab = new WeakMap<object, MigrationRecord[]>();

/** The migrations done in `lab`, oldest first (the list only grows). */
export function migrationsOf(lab: object): readonly MigrationRecord[] {
	return byLab.get(lab) ?? [];
}

export function recordMigration(lab: object, record: MigrationRecord): void {
	let records = byLab.get(lab);
	if (!records) {
		records = [];
		byLab.set(lab, records);
	}

	records.push(record);
}
