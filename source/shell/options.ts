// Command-line options parsed the way GNU getopt_long parses them, so a
// learner's habits carry over: -a -l and -al, -n 5 and -n5, --name value and
// --name=value, unambiguous long prefixes (--fo for --fork), "--" ends the
// options, and operands may come before options unless the command stops
// at its first operand (unshare, nsenter, chroot: the rest is a command).
// Errors use getopt's wording: "invalid option -- 'z'".

export type OptionSpec = {
	/** Long name without dashes (--all → 'all'); the key in the parsed result. */
	name: string;
	/** One-letter short form, if any. */
	short?: string;
	/** Placeholder when the option takes a value (e.g. 'N', 'FILE'); absent for switches. */
	value?: string;
	/** The value is optional and may only be attached: --mount=FILE (unshare's style). */
	optionalValue?: boolean;
	/** May be given more than once; values collect into an array. */
	repeat?: boolean;
	description: string;
	/** Values to offer when completing (e.g. ['classic', 'strict']). */
	choices?: readonly string[];
};

export type ParsedOptions = {
	/** Switches are true; valued options are strings (arrays when `repeat`). */
	options: Record<string, string | boolean | string[]>;
	operands: string[];
};

export class OptionError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'OptionError';
	}
}

function findLong(specs: readonly OptionSpec[], name: string): OptionSpec {
	const exact = specs.find(spec => spec.name === name);
	if (exact) return exact;
	const prefixed = specs.filter(spec => spec.name.startsWith(name));
	if (prefixed.length === 1) return prefixed[0];
	if (prefixed.length > 1) throw new OptionError(`option '--${name}' is ambiguous; possibilities: ${prefixed.map(spec => `'--${spec.name}'`).join(' ')}`);
	throw new OptionError(`unrecognized option '--${name}'`);
}

export function parseOptions(args: readonly string[], specs: readonly OptionSpec[], stopAtFirstOperand = false): ParsedOptions {
	const options: ParsedOptions['options'] = {};
	const operands: string[] = [];
	const set = (spec: OptionSpec, value: string | boolean) => {
		if (spec.repeat && typeof value === 'string') {
			const list = (options[spec.name] as string[] | undefined) ?? [];
			list.push(value);
			options[spec.name] = list;
		} else {
			options[spec.name] = value;
		}
	};

	for (let i = 0; i < args.length; i++) {
		const arg = args[i];
		if (arg === '--') {
			operands.push(...args.slice(i + 1));
			break;
		}

		if (arg.startsWith('--')) {
			const eq = arg.indexOf('=');
			const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
			const spec = findLong(specs, name);
			if (!spec.value) {
				if (eq >= 0) throw new OptionError(`option '--${spec.name}' doesn't allow an argument`);
				set(spec, true);
			} else if (eq >= 0) {
				set(spec, arg.slice(eq + 1));
			} else if (spec.optionalValue) {
				set(spec, true);
			} else {
				if (i + 1 >= args.length) throw new OptionError(`option '--${spec.name}' requires an argument`);
				set(spec, args[++i]);
			}

			continue;
		}

		if (arg.startsWith('-') && arg.length > 1) {
			for (let j = 1; j < arg.length; j++) {
				const letter = arg[j];
				const spec = specs.find(s => s.short === letter);
				if (!spec) throw new OptionError(`invalid option -- '${letter}'`);
				if (!spec.value || spec.optionalValue) {
					if (spec.optionalValue && j + 1 < arg.length) {
						set(spec, arg.slice(j + 1));
						break;
					}

					set(spec, true);
					continue;
				}

				const rest = arg.slice(j + 1);
				if (rest.length > 0) {
					set(spec, rest);
				} else {
					if (i + 1 >= args.length) throw new OptionError(`option requires an argument -- '${letter}'`);
					set(spec, args[++i]);
				}

				break;
			}

			continue;
		}

		operands.push(arg);
		if (stopAtFirstOperand) {
			operands.push(...args.slice(i + 1));
			break;
		}
	}

	return {options, operands};
}

/** The "Options" block of --help: `  -a, --all        description`. */
export function formatOptions(specs: readonly OptionSpec[]): string {
	const left = specs.map(spec => {
		const long = `--${spec.name}${spec.value ? (spec.optionalValue ? `[=${spec.value}]` : `=${spec.value}`) : ''}`;
		return spec.short ? `-${spec.short}, ${long}` : `    ${long}`;
	});
	const width = Math.min(28, Math.max(...left.map(text => text.length)));
	return specs
		.map((spec, i) => {
			const head = `  ${left[i]}`;
			return head.length - 2 > width ? `${head}\n  ${' '.repeat(width)}  ${spec.description}` : `${head.padEnd(width + 2)}  ${spec.description}`;
		})
		.join('\n');
}
