// Signals: Linux x86-64 numbers, names and default actions (signal(7)), and
// the wait-status encoding that wait4() returns and a shell decodes
// ($? = 128 + signal; "Killed" for SIGKILL, "Segmentation fault" for SIGSEGV).

export const signals = {
	SIGHUP: 1,
	SIGINT: 2,
	SIGQUIT: 3,
	SIGILL: 4,
	SIGTRAP: 5,
	SIGABRT: 6,
	SIGBUS: 7,
	SIGFPE: 8,
	SIGKILL: 9,
	SIGUSR1: 10,
	SIGSEGV: 11,
	SIGUSR2: 12,
	SIGPIPE: 13,
	SIGALRM: 14,
	SIGTERM: 15,
	SIGSTKFLT: 16,
	SIGCHLD: 17,
	SIGCONT: 18,
	SIGSTOP: 19,
	SIGTSTP: 20,
	SIGTTIN: 21,
	SIGTTOU: 22,
	SIGURG: 23,
	SIGXCPU: 24,
	SIGXFSZ: 25,
	SIGVTALRM: 26,
	SIGPROF: 27,
	SIGWINCH: 28,
	SIGIO: 29,
	SIGPWR: 30,
	SIGSYS: 31,
} as const;

export type SignalName = keyof typeof signals;
export const NSIG = 64;

export type DefaultAction = 'term' | 'core' | 'ign' | 'stop' | 'cont';

const coreSignals = new Set<number>([3, 4, 5, 6, 7, 8, 11, 24, 25, 31]);
const ignoredSignals = new Set<number>([17, 23, 28]);
const stopSignals = new Set<number>([19, 20, 21, 22]);

/** signal(7)'s "Action" column. Real-time signals (32–64) terminate. */
export function defaultAction(signal: number): DefaultAction {
	if (coreSignals.has(signal)) return 'core';
	if (ignoredSignals.has(signal)) return 'ign';
	if (stopSignals.has(signal)) return 'stop';
	if (signal === signals.SIGCONT) return 'cont';
	return 'term';
}

const names = new Map<number, SignalName>(Object.entries(signals).map(([name, number]) => [number, name as SignalName]));

export function signalName(signal: number): string {
	return names.get(signal) ?? (signal >= 34 && signal <= NSIG ? `SIGRTMIN+${signal - 34}` : `signal ${signal}`);
}

/** Parse "9", "KILL", "SIGKILL" (as kill(1) does). Undefined if unknown. */
export function parseSignal(text: string): number | undefined {
	if (/^\d+$/.test(text)) {
		const number = Number(text);
		return number >= 0 && number <= NSIG ? number : undefined;
	}

	const upper = text.toUpperCase();
	const name = (upper.startsWith('SIG') ? upper : `SIG${upper}`) as SignalName;
	return signals[name];
}

/** strsignal(3) texts (what bash prints for a job killed by a signal). */
const descriptions: Record<number, string> = {
	1: 'Hangup', 2: 'Interrupt', 3: 'Quit', 4: 'Illegal instruction', 5: 'Trace/breakpoint trap', 6: 'Aborted',
	7: 'Bus error', 8: 'Floating point exception', 9: 'Killed', 10: 'User defined signal 1', 11: 'Segmentation fault',
	12: 'User defined signal 2', 13: 'Broken pipe', 14: 'Alarm clock', 15: 'Terminated', 17: 'Child exited', 18: 'Continued',
	19: 'Stopped (signal)', 20: 'Stopped', 21: 'Stopped (tty input)', 22: 'Stopped (tty output)', 24: 'CPU time limit exceeded',
	25: 'File size limit exceeded', 31: 'Bad system call',
};

export function signalDescription(signal: number): string {
	return descriptions[signal] ?? `Unknown signal ${signal}`;
}

// wait(2) status words, as glibc's W* macros decode them.
export function exitedStatus(code: number): number {
	return (code & 0xff) << 8;
}

export function signaledStatus(signal: number, core = false): number {
	return (signal & 0x7f) | (core ? 0x80 : 0);
}

export type DecodedStatus = {exited: true; code: number} | {exited: false; signal: number; core: boolean};

export function decodeStatus(status: number): DecodedStatus {
	if ((status & 0x7f) === 0) return {exited: true, code: (status >> 8) & 0xff};
	return {exited: false, signal: status & 0x7f, core: (status & 0x80) !== 0};
}

/** What a shell puts in $? for this status: the code, or 128 + signal. */
export function shellStatus(status: number): number {
	const decoded = decodeStatus(status);
	return decoded.exited ? decoded.code : 128 + decoded.signal;
}
