// head's and tail's walk over their FILE operands, as coreutils does it:
// no FILE means standard input (-); each FILE is opened before its
// '==> FILE <==' header, so one that cannot be opened gets its error and
// no header, while one that opens but cannot be read gets both; the status
// is 1 after any error.

import {O_RDONLY} from '../../kernel/vfs/file.js';
import type {CommandContext} from '../command.js';
import {sysOf, why} from './files.js';
import type {Yielded} from './read-stream.js';

export type OperandWalk = {
	/** The command's name, for its messages. */
	name: string;
	files: string[];
	/** -q / -v; undefined: headers when there is more than one FILE. */
	headers: boolean | undefined;
	/** The message for a FILE that opened but whose reading failed with `reason`. */
	readFailure(file: string, reason: string): string;
};

/** Runs `body` for each FILE ('-' is standard input) under its header; returns the exit status. */
export function * eachFileOperand(context: CommandContext, walk: OperandWalk, body: (file: string) => Generator<Yielded, void, string | undefined>): Generator<Yielded, number, string | undefined> {
	const files = walk.files.length > 0 ? walk.files : ['-'];
	const headers = walk.headers ?? files.length > 1;
	let status = 0;
	let first = true;
	for (const file of files) {
		if (context.signal.aborted) break;
		if (file !== '-') {
			try {
				sysOf(context).openFile(file, O_RDONLY).release();
			} catch (error) {
				context.stderr.write(`${walk.name}: cannot open '${file}' for reading: ${why(error)}\n`);
				status = 1;
				continue;
			}
		}

		if (headers) context.stdout.write(`${first ? '' : '\n'}==> ${file === '-' ? 'standard input' : file} <==\n`);
		first = false;
		try {
			yield * body(file);
		} catch (error) {
			context.stderr.write(walk.readFailure(file, why(error)));
			status = 1;
		}
	}

	return status;
}
