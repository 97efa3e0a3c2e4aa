// ping, as iputils does it, from the network namespace of the shell's
// process (ip netns exec NS ping … pings from NS): the kernel routes each
// echo request (a route in the sender's namespace, every device on the way
// up, a neighbour on the segment, forwarding, a route back) and formatPing
// prints iputils' lines and statistics. With -c N the N packets go at once
// (the simulated network does not take time); without -c it sends one a
// second until Ctrl-C, as ping does. Exit status: 0 with a reply, 1 with
// none, 2 for errors.

import {formatPing, type PingResult, parseIp} from '../../kernel/net/net.js';
import type {Command, CommandContext} from '../command.js';

const usageText = `
Usage
  ping [options] <destination>

Options:
  <destination>      dns name or ip address
  -c <count>         stop after <count> replies
  -i <interval>      seconds between sending each packet
  -n                 no dns name resolution
  -q                 quiet output
  -W <timeout>       time to wait for response
  -4                 use IPv4

In this lab: IPv4 addresses only (no DNS), and the packets go through the
simulated namespaces, veth pairs and bridges (ip netns exec NS ping … to
ping from another namespace).
`;

class PingError extends Error {
	constructor(message: string, readonly status: number, readonly showUsage = false) {
		super(message);
	}
}

type Options = {count: number | undefined; interval: number; quiet: boolean; target: string};

/** getopt over "c:i:nqW:4" as iputils declares it (short options only). */
function parse(argv: readonly string[]): Options {
	const options: Options = {count: undefined, interval: 1, quiet: false, target: ''};
	const operands: string[] = [];
	for (let i = 0; i < argv.length; i++) {
		const arg = argv[i];
		if (arg === '--') {
			operands.push(...argv.slice(i + 1));
			break;
		}

		if (!arg.startsWith('-') || arg.length === 1) {
			operands.push(arg);
			continue;
		}

		for (let j = 1; j < arg.length; j++) {
			const letter = arg[j];
			if (letter === 'n' || letter === '4') continue;
			if (letter === 'q') {
				options.quiet = true;
				continue;
			}

			if (!'ciW'.includes(letter)) throw new PingError(`ping: invalid option -- '${letter}'`, 2, true);
			const value = arg.length > j + 1 ? arg.slice(j + 1) : argv[++i];
			if (value === undefined) throw new PingError(`ping: option requires an argument -- '${letter}'`, 2, true);
			if (letter === 'c') {
				if (!/^-?\d+$/.test(value)) throw new PingError(`ping: invalid argument: '${value}'`, 1);
				const count = Number(value);
				if (count < 1) throw new PingError(`ping: invalid argument: '${value}': out of range: 1 <= value <= 9223372036854775807`, 1);
				options.count = count;
			} else if (letter === 'i') {
				const interval = Number(value);
				if (!Number.isFinite(interval) || interval < 0) throw new PingError(`ping: option argument contains garbage: ${value}`, 1);
				options.interval = interval;
			}

			break;
		}
	}

	if (operands.length === 0) throw new PingError('ping: usage error: Destination address required', 1);
	options.target = operands.at(-1)!;
	return options;
}

/** The statistics part of iputils' output (after the reply lines). */
function statistics(result: PingResult): string {
	const text = formatPing(result);
	return text.slice(text.indexOf('\n---') + 1);
}

async function sleep(ms: number, signal: AbortSignal): Promise<void> {
	await new Promise<void>(resolve => {
		const timer = setTimeout(resolve, ms);
		signal.addEventListener('abort', () => {
			clearTimeout(timer);
			resolve();
		}, {once: true});
	});
}

async function runPing(context: CommandContext): Promise<number> {
	const options = parse(context.argv);
	try {
		parseIp(options.target);
	} catch {
		throw new PingError(`ping: ${options.target}: Name or service not known`, 2);
	}

	const ns = context.lab.kernel.proc.ns.net;
	if (options.count !== undefined) {
		const result = ns.ping(options.target, options.count);
		if (result.error) throw new PingError(`ping: ${result.error}`, 2);
		const text = formatPing(result);
		context.stdout.write(options.quiet ? `${text.split('\n')[0]}\n\n${statistics(result)}` : text);
		return result.received > 0 ? 0 : 1;
	}

	// One a second until Ctrl-C, then the statistics.
	const total: PingResult = {target: options.target, replies: [], transmitted: 0, received: 0, errors: 0};
	for (let seq = 1; !context.signal.aborted; seq++) {
		const one = ns.ping(options.target, 1);
		if (one.error) throw new PingError(`ping: ${one.error}`, 2);
		if (seq === 1) context.stdout.write(`PING ${options.target} (${options.target}) 56(84) bytes of data.\n`);
		total.transmitted++;
		total.received += one.received;
		total.errors += one.errors;
		const reply = one.replies[0] ? {...one.replies[0], seq} : undefined;
		if (reply) {
			total.replies.push(reply);
			if (!options.quiet) {
				const line = formatPing({...one, replies: [reply]}).split('\n')[1];
				context.stdout.write(`${line}\n`);
			}
		}

		context.lab.changed();
		// eslint-disable-next-line no-await-in-loop
		await sleep(options.interval * 1000, context.signal);
	}

	context.stdout.write(`\n${statistics(total)}`);
	return total.received > 0 ? 0 : 1;
}

export const pingCommand: Command = {
	name: 'ping',
	group: 'network',
	summary: 'send ICMP echo requests through the simulated network (iputils)',
	usage: 'ping [options] <destination>',
	rawArguments: true,
	help: () => usageText.trimStart(),
	async run(context) {
		try {
			return await runPing(context);
		} catch (error) {
			if (!(error instanceof PingError)) throw error;
			context.stderr.write(`${error.message}\n${error.showUsage ? usageText : ''}`);
			return error.status;
		}
	},
};
