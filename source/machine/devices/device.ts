// What every device on the port-I/O bus provides: the ports it answers, reads
// and writes, and its state for checkpoints (the machine is deterministic, so
// a device's whole state must be savable and restorable).

export type Device = {
	readonly name: string;
	readonly ports: readonly number[];
	read(port: number): number;
	write(port: number, value: number): void;
	save(): unknown;
	restore(state: unknown): void;
};
