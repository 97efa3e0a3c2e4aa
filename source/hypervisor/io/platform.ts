// The platform table: where a guest learns which disk it has and how to
// reach it, the way firmware tables (ACPI, a device tree, Xen's start_info
// page) tell a real kernel. The VMM — or, natively, the machine set-up —
// writes it at guest-physical 0x600 before the guest boots; guests/io-loop.s
// reads it. The guest writes two words back: its own clock (rdtsc) around
// its I/O phase, so a report can give cycles per I/O operation measured the
// same way under every technique. guests/include/io.inc has the same
// values (a test checks they agree).

export const platformTableAddress = 0x600;
/** "RLIO" in little-endian bytes. */
export const platformMagic = 0x4f49_4c52;

/** Word offsets in the table. */
export const platformField = {
	magic: 0,
	/** diskKind below. */
	disk: 4,
	/** The shared ring's page (paravirtual), or the register page (DMA disk); guest-physical. */
	address: 8,
	/** Requests the shared ring holds (a power of two). */
	ringSize: 12,
	/** How to notify the backend: the I/O port to write (notify = port), or the event channel (notify = hypercall). */
	notify: 16,
	/** platformKind below: how the guest reaches the console and powers off. */
	platform: 20,
	/** Written by the guest: rdtsc before its first request and after its last completion. */
	tscStart: 24,
	tscEnd: 28,
	/** Written by the guest: block requests it made. */
	requests: 32,
} as const;

export const diskKind = {ata: 1, ring: 2, dma: 3} as const;
/** Hardware: console on COM1, power off through the debug-exit port; Xen PV: hypercalls for both. */
export const platformKind = {hardware: 0, xenPv: 1} as const;

export type PlatformTable = {disk: number; address: number; ringSize: number; notify: number; platform: number};

/** Write the table with `write(address, value)` (guest memory or a bare machine's memory). */
export function writePlatformTable(write: (address: number, value: number) => void, table: PlatformTable): void {
	const at = platformTableAddress;
	write(at + platformField.magic, platformMagic);
	write(at + platformField.disk, table.disk);
	write(at + platformField.address, table.address);
	write(at + platformField.ringSize, table.ringSize);
	write(at + platformField.notify, table.notify);
	write(at + platformField.platform, table.platform);
	write(at + platformField.tscStart, 0);
	write(at + platformField.tscEnd, 0);
	write(at + platformField.requests, 0);
}

/** What the guest wrote back: its I/O phase in cycles and the requests it made (undefined if it never did). */
export function readGuestMeasurement(read: (address: number) => number): {cycles: number; requests: number} | undefined {
	const start = read(platformTableAddress + platformField.tscStart) >>> 0;
	const end = read(platformTableAddress + platformField.tscEnd) >>> 0;
	const requests = read(platformTableAddress + platformField.requests) >>> 0;
	if (end === 0 || requests === 0) return undefined;
	return {cycles: (end - start) >>> 0, requests};
}
