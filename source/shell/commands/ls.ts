// ls, as GNU coreutils 9.1 does it over the kernel's VFS: file operands
// first, then each directory operand's entries, each sorted by name (code
// point order, as in the C.UTF-8 locale). To the terminal the names are
// laid out in columns as wide as the terminal (columns.ts); into a pipe or
// a file one name per line (isatty says which), so `ls | wc -l` counts
// entries; -C and -1 choose either, the last of -C, -1 and -l given wins
// (-1 does not undo -l). With -l every column of one
// listing (the file operands, or one directory) is as wide as its widest
// entry: link counts and sizes right-aligned, owner and group left-aligned,
// a device's "major, minor" aligned on the comma, and the inode numbers of
// -i right-aligned — so a single entry has no padding at all. A symbolic
// link given as an operand is listed itself with -l, -d or -F, and followed
// otherwise.

import type {Stat} from '../../kernel/vfs/inode.js';
import {bootEpochSeconds} from '../../kernel/kernel.js';
import type {Command, CommandContext} from '../command.js';
import {compareCodePoints} from '../../code-point-order.js';
import type {OptionSpec} from '../options.js';
import {columnLines} from './columns.js';
import {sysOf, why} from './files.js';

const S_IFMT = 0o170_000;
const S_IFDIR = 0o040_000;
const S_IFLNK = 0o120_000;
const S_IFCHR = 0o020_000;
const S_IFBLK = 0o060_000;
const typeChar: Record<number, string> = {0o040_000: 'd', 0o120_000: 'l', 0o020_000: 'c', 0o060_000: 'b', 0o010_000: 'p', 0o140_000: 's', 0o100_000: '-'};

/** -rw-r--r-- */
export function modeString(mode: number): string {
	const bits = ['r', 'w', 'x'];
	let text = typeChar[mode & S_IFMT] ?? '?';
	for (let shift = 6; shift >= 0; shift -= 3) for (let bit = 2; bit >= 0; bit--) text += (mode >> (shift + bit)) & 1 ? bits[2 - bit] : '-';
	if (mode & 0o1000) text = text.slice(0, 9) + (mode & 1 ? 't' : 'T');
	return text;
}

const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** ls -l's date: "Jan  1 00:00" (UTC). */
function lsDate(ns: number): string {
	const date = new Date(Math.floor(ns / 1e6));
	return `${months[date.getUTCMonth()]} ${String(date.getUTCDate()).padStart(2)} ${String(date.getUTCHours()).padStart(2, '0')}:${String(date.getUTCMinutes()).padStart(2, '0')}`;
}

function userName(uid: number): string {
	return uid === 0 ? 'root' : uid === 65_534 ? 'nobody' : String(uid);
}

function groupName(gid: number): string {
	return gid === 0 ? 'root' : gid === 65_534 ? 'nogroup' : String(gid);
}

/** One entry of a listing, its columns not yet aligned. */
type Entry = {stat: Stat; name: string; link: string};

/** A device's numbers, or its size. */
function sizeOf(stat: Stat): {major: string; minor: string} | string {
	const type = stat.mode & S_IFMT;
	return type === S_IFCHR || type === S_IFBLK ? {major: String(stat.rdev >> 8), minor: String(stat.rdev & 0xff)} : String(stat.size);
}

const widest = (values: string[]) => Math.max(0, ...values.map(value => value.length));

/** How a listing is laid out: -l, -1 or -C. */
type Format = 'long' | 'one-per-line' | 'columns';

/** The lines of one listing, its columns as wide as its widest entry (coreutils' print_long_format), or the names in `lineLength` columns. */
function formatListing(entries: Entry[], format: Format, inode: boolean, lineLength: number): string[] {
	const inodeWidth = widest(entries.map(entry => String(entry.stat.ino)));
	const inodeColumn = (entry: Entry) => (inode ? `${String(entry.stat.ino).padStart(inodeWidth)} ` : '');
	if (format === 'one-per-line') return entries.map(entry => inodeColumn(entry) + entry.name);
	if (format === 'columns') {
		const names = entries.map(entry => inodeColumn(entry) + entry.name);
		return columnLines(names, names.map(name => [...name].length), lineLength);
	}

	const sizes = entries.map(entry => sizeOf(entry.stat));
	const devices = sizes.filter(size => typeof size !== 'string');
	const majorWidth = widest(devices.map(size => size.major));
	const minorWidth = widest(devices.map(size => size.minor));
	const sizeWidth = Math.max(widest(sizes.filter(size => typeof size === 'string')), devices.length > 0 ? majorWidth + 2 + minorWidth : 0);
	const nlinkWidth = widest(entries.map(entry => String(entry.stat.nlink)));
	const ownerWidth = widest(entries.map(entry => userName(entry.stat.uid)));
	const groupWidth = widest(entries.map(entry => groupName(entry.stat.gid)));
	return entries.map((entry, index) => {
		const size = sizes[index];
		const sizeColumn = typeof size === 'string' ? size.padStart(sizeWidth) : `${size.major.padStart(sizeWidth - 2 - minorWidth)}, ${size.minor.padStart(minorWidth)}`;
		const {stat} = entry;
		return `${inodeColumn(entry)}${modeString(stat.mode)} ${String(stat.nlink).padStart(nlinkWidth)} ${userName(stat.uid).padEnd(ownerWidth)} ${groupName(stat.gid).padEnd(groupWidth)} ${sizeColumn} ${lsDate(stat.mtimeNs || bootEpochSeconds * 1e9)} ${entry.name}${entry.link}`;
	});
}

const lsOptions: readonly OptionSpec[] = [
	{name: 'all', short: 'a', description: 'do not ignore entries starting with .'},
	{name: 'long', short: 'l', description: 'use a long listing format'},
	{name: 'directory', short: 'd', description: 'list directories themselves, not their contents'},
	{name: 'inode', short: 'i', description: 'print the index number of each file'},
	{name: 'one', short: '1', description: 'list one file per line (the default into a pipe or a file)'},
	{name: 'columns', short: 'C', description: 'list entries by columns (the default to the terminal)'},
	{name: 'classify', short: 'F', description: 'append indicator (one of */=>@|) to entries'},
];

/** -l, -1 or -C, the last given winning as in coreutils (but -1 does not undo -l); by default columns to a terminal, one per line elsewhere. */
function formatOf(context: CommandContext): Format {
	let format: Format = context.stdout.terminal ? 'columns' : 'one-per-line';
	const chosen = (name: string | undefined) => {
		if (name === 'long') format = 'long';
		else if (name === 'columns') format = 'columns';
		else if (name === 'one' && format !== 'long') format = 'one-per-line';
	};

	for (const arg of context.argv) {
		if (arg === '--') break;
		if (arg.startsWith('--')) {
			// The options parsed already: a long name is whole or an unambiguous prefix.
			const name = arg.slice(2);
			chosen(lsOptions.find(option => option.name === name)?.name ?? lsOptions.find(option => option.name.startsWith(name))?.name);
		} else if (arg.startsWith('-')) {
			for (const letter of arg.slice(1)) chosen(lsOptions.find(option => option.short === letter)?.name);
		}
	}

	return format;
}

/** The width columns are laid out in: the terminal's; elsewhere COLUMNS, or 80 (0: no limit). */
function lineLengthOf(context: CommandContext): number {
	if (context.stdout.terminal) return context.stdout.terminal.columns;
	const columns = context.env.get('COLUMNS');
	if (columns === undefined || columns === '') return 80;
	if (/^\d+$/.test(columns)) return Number(columns);
	context.stderr.write(`ls: ignoring invalid width in environment variable COLUMNS: \u2018${columns}\u2019\n`);
	return 80;
}

export const ls: Command = {
	name: 'ls',
	group: 'files',
	summary: 'list directory contents',
	usage: 'ls [OPTION]... [FILE]...',
	options: lsOptions,
	run(context) {
		const {options, stdout, stderr} = context;
		const sys = sysOf(context);
		const format = formatOf(context);
		const long = format === 'long';
		const lineLength = format === 'columns' ? lineLengthOf(context) : 0;
		const targets = context.operands.length > 0 ? [...context.operands].sort(compareCodePoints) : ['.'];
		let status = 0;
		const entry = (path: string, name: string): Entry => {
			const stat = sys.lstat(path);
			const type = stat.mode & S_IFMT;
			let shown = name;
			if (options.classify) shown += type === S_IFDIR ? '/' : type === S_IFLNK ? '@' : type === 0o010_000 ? '|' : stat.mode & 0o111 && type === 0o100_000 ? '*' : '';
			let link = '';
			if (long && type === S_IFLNK) {
				try {
					link = ` -> ${sys.readlink(path)}`;
				} catch (error) {
					// As GNU ls does for a link it cannot read (/proc/PID/exe of a process without one): say so, list it anyway.
					stderr.write(`ls: cannot read symbolic link '${path}': ${why(error)}\n`);
					status = Math.max(status, 1);
				}
			}

			return {stat, name: shown, link};
		};

		const print = (entries: Entry[]) => {
			if (entries.length === 0) return;
			stdout.write(`${formatListing(entries, format, Boolean(options.inode), lineLength).join('\n')}\n`);
		};

		// A symbolic link operand is followed to a directory only when the listing does not show links themselves.
		const follow = !(long || options.directory || options.classify);
		const files: Entry[] = [];
		const directories: string[] = [];
		for (const target of targets) {
			try {
				const stat = follow ? sys.stat(target) : sys.lstat(target);
				if ((stat.mode & S_IFMT) === S_IFDIR && !options.directory) directories.push(target);
				else files.push(entry(target, target));
			} catch (error) {
				stderr.write(`ls: cannot access '${target}': ${why(error)}\n`);
				status = 2;
			}
		}

		print(files);
		for (const [index, directory] of directories.entries()) {
			if (targets.length > 1) stdout.write(`${files.length > 0 || index > 0 ? '\n' : ''}${directory}:\n`);
			try {
				const names = sys.readdir(directory).map(item => item.name).filter(name => name !== '.' && name !== '..' && (options.all || !name.startsWith('.'))).sort(compareCodePoints);
				if (options.all) names.unshift('.', '..');
				if (long) {
					const total = names.reduce((sum, name) => {
						try {
							return sum + Math.ceil(sys.lstat(`${directory}/${name}`).blocks / 2);
						} catch {
							return sum;
						}
					}, 0);
					stdout.write(`total ${total}\n`);
				}

				print(names.map(name => entry(`${directory}/${name}`, name)));
			} catch (error) {
				stderr.write(`ls: cannot open directory '${directory}': ${why(error)}\n`);
				status = 2;
			}
		}

		return status;
	},
};
