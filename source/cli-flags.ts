// The options every `ringlab` command accepts (the lab's display options
// among them), and the quick parse that lets `ringlab` alone open the lab
// without loading meow (see cli.ts).

export type FlagSpec = {type: 'string' | 'boolean' | 'number'; shortFlag?: string; default?: string | boolean | number};

export const commonFlags = {
	help: {type: 'boolean', shortFlag: 'h'},
	version: {type: 'boolean', shortFlag: 'v'},
	lessons: {type: 'string'},
	// Display options for the lab (ringlab with no command); --no-color sets color: false.
	color: {type: 'boolean', default: true},
	ascii: {type: 'boolean', default: false},
	screenReader: {type: 'boolean', default: false},
} as const satisfies Record<string, FlagSpec>;

/**
 * The lab's options when argv holds nothing else (commonFlags' booleans, --no-X, --lessons DIR);
 * undefined for anything more, which meow then parses and explains.
 */
export function labOnlyFlags(argv: string[]): Record<string, string | boolean> | undefined {
	const flags: Record<string, string | boolean> = {};
	for (let i = 0; i < argv.length; i++) {
		const [, negated, name, value] = /^--(no-)?([a-z][a-z-]*)(?:=(.*))?$/.exec(argv[i]) ?? [];
		if (name === undefined || name === 'help' || name === 'version') return undefined;
		const key = name.replaceAll(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());
		const spec = (commonFlags as Record<string, FlagSpec>)[key];
		if (!spec) return undefined;
		if (spec.type === 'boolean') {
			if (value !== undefined) return undefined;
			flags[key] = negated === undefined;
		} else {
			const given = value ?? argv[++i];
			if (negated !== undefined || given === undefined || given === '') return undefined;
			flags[key] = given;
		}
	}

	return flags;
}
