// ip, as iproute2 does it, over the kernel's network namespaces
// (source/kernel/net): `ip netns` (named namespaces in /run/netns), `ip link`
// (veth pairs, bridges, up/down, master, moving a device to another
// namespace), `ip address` and `ip route`, in the namespace of the shell's
// process (or -n NAME). Objects and commands may be shortened as iproute2
// allows (ip a, ip l s, ip r), output is iproute2's, errors are its
// messages with its exit statuses (1, 2 for RTNETLINK errors, 255 for
// usage errors).

import {isKernelError} from '../../kernel/errors.js';
import type {Kernel} from '../../kernel/kernel.js';
import {CLONE_NEWNET} from '../../kernel/namespaces.js';
import {formatIp, type NetDevice, type NetNamespace, parseCidr, parseIp} from '../../kernel/net/net.js';
import {addNamedNetns, deleteNamedNetns, listNamedNetns, namedNetns, netnsNames} from '../../kernel/net/netns.js';
import type {Process} from '../../kernel/process.js';
import {environList, type Command, type CommandContext} from '../command.js';
import type {KernelSession} from '../kernel-session.js';
import {runIn} from './namespaces.js';
import {isShellName, runCommandAs} from './nested-shell.js';
import {execvpPath} from '../../kernel/path-search.js';

/** A failure printed as iproute2 prints it (no "ip: " prefix), with its exit status. */
class IpError extends Error {
	constructor(message: string, readonly status = 1) {
		super(message);
	}
}

const usage = `Usage: ip [ OPTIONS ] OBJECT { COMMAND | help }
where  OBJECT := { address | link | netns | route | help }
       OPTIONS := { -V[ersion] | -br[ief] | -4 | -n[etns] name | -h[elp] }
`;

// One line per object and one paragraph of notes: formatHelp wraps them to the terminal (help-wrap.ts).
const help = `${usage}
Objects:
  link      network devices: ip link [show [DEV]] | add NAME type veth peer name PEER | add NAME type bridge | set DEV { up | down | master BRIDGE | nomaster | netns { NAME | PID } | name NEWNAME } | delete DEV
  address   IPv4 addresses: ip address [show [dev DEV]] | add ADDR/PREFIX dev DEV | del ADDR/PREFIX dev DEV
  route     the routing table: ip route [show] | add { PREFIX | default } [via GW] [dev DEV] | del { PREFIX | default } | get ADDRESS
  netns     named network namespaces (/run/netns/NAME): ip netns [list] | add NAME | delete NAME | exec NAME COMMAND... | identify [PID] | pids NAME

Objects and commands may be shortened: ip a, ip l s, ip r, ip n is ip neighbor (not simulated: write ip netns). In this lab IPv4 only; no ip rule, neigh, tunnel. Errors and exit statuses are iproute2's: 1, 2 (RTNETLINK answers: …), 255 (usage).
`;

const linkUsage = `Usage: ip link add [ name ] NAME type TYPE [ ARGS ]
       ip link delete { DEVICE | dev DEVICE }
       ip link set { DEVICE | dev DEVICE } [ { up | down } ]
                          [ master DEVICE ] [ nomaster ]
                          [ netns { PID | NAME } ]
                          [ name NEWNAME ]
       ip link show [ DEVICE | dev DEVICE ] [ type TYPE ] [ master DEVICE ] [ up ]
TYPE := { bridge | veth }
veth ARGS := [ peer [ name ] NAME [ netns { PID | NAME } ] ]
`;

const addressUsage = `Usage: ip address {add|del} IFADDR dev IFNAME
       ip address [ show [ dev IFNAME ] [ up ] ]
IFADDR := PREFIX
`;

const routeUsage = `Usage: ip route [ list | show ]
       ip route get ADDRESS
       ip route { add | del } ROUTE
ROUTE := { PREFIX | default } [ via ADDRESS ] [ dev STRING ]
`;

const netnsUsage = `Usage:\tip netns list
\tip netns add NAME
\tip netns delete NAME
\tip netns identify [PID]
\tip netns pids NAME
\tip netns exec NAME cmd ...
`;

/** iproute2's matches(): the word is a non-empty prefix of the keyword. */
function matches(word: string | undefined, keyword: string): boolean {
	return word !== undefined && word.length > 0 && keyword.startsWith(word);
}

/** What ip works on: as which process, in which network namespace, and how namespaces are named. */
type Ip = {
	context: CommandContext;
	session: KernelSession;
	kernel: Kernel;
	proc: Process;
	ns: NetNamespace;
	brief: boolean;
};

/** A kernel error as iproute2 words it. */
function rtnetlink(error: unknown): never {
	if (!isKernelError(error)) throw error;
	if (error.errno === 'ENODEV') throw new IpError(error.detail ?? `Cannot find device`, 1);
	if (error.detail?.startsWith('Error:') || error.detail?.startsWith('RTNETLINK')) throw new IpError(error.detail, 2);
	throw new IpError(`RTNETLINK answers: ${error.message}`, 2);
}

function device(ip: Ip, name: string): NetDevice {
	const found = ip.ns.devices.get(name);
	if (!found) throw new IpError(`Cannot find device "${name}"`, 1);
	return found;
}

/** The network namespace a `netns` argument names: /run/netns/NAME, or a PID's. */
function targetNamespace(ip: Ip, value: string): NetNamespace {
	try {
		if (/^\d+$/.test(value)) {
			const ns = (ip.kernel.sys(ip.proc).resolve(`/proc/${value}/ns/net`).inode as {ns?: NetNamespace}).ns;
			if (ns?.type === 'net') return ns;
		} else {
			return namedNetns(ip.kernel, ip.proc, value);
		}
	} catch {
		// Reported below, as iproute2 does.
	}

	throw new IpError(`Error: argument "${value}" is wrong: Invalid "netns" value\n\n`, 255);
}

// ───────────────────────── ip link ─────────────────────────

/** veth0@if5 (the peer's index when it is in another namespace, its name when here). */
function briefName(ip: Ip, d: NetDevice): string {
	return d.type === 'veth' && d.peer ? `${d.name}@${d.peer.ns === ip.ns ? d.peer.name : `if${d.peer.ifindex}`}` : d.name;
}

function briefLink(ip: Ip, d: NetDevice): string {
	return `${briefName(ip, d).padEnd(16)} ${d.operState.padEnd(14)} ${d.mac} ${d.flagString} \n`;
}

function linkShow(ip: Ip, args: string[]): number {
	let name: string | undefined;
	let type: string | undefined;
	let master: string | undefined;
	let upOnly = false;
	for (let i = 0; i < args.length; i++) {
		const word = args[i];
		if (word === 'dev') name = args[++i];
		else if (word === 'type') type = args[++i];
		else if (word === 'master') master = args[++i];
		else if (word === 'up') upOnly = true;
		else if (word === 'help') throw new IpError(linkUsage, 255);
		else if (name === undefined) name = word;
		else throw new IpError(`Error: either "dev" is duplicate, or "${word}" is a garbage.`, 255);
	}

	if (name !== undefined && !ip.ns.devices.has(name)) throw new IpError(`Device "${name}" does not exist.`, 1);
	if (master !== undefined) device(ip, master);
	const keep = (d: NetDevice) => (name === undefined || d.name === name) && (type === undefined || d.type === type) && (master === undefined || d.master?.name === master) && (!upOnly || d.up);
	if (ip.brief) {
		const shown = [...ip.ns.devices.values()].filter(keep).sort((a, b) => a.ifindex - b.ifindex);
		ip.context.stdout.write(shown.map(d => briefLink(ip, d)).join(''));
		return 0;
	}

	const text = ip.ns.formatLinks(netnsNames(ip.kernel, ip.proc));
	// formatLinks prints two lines per device, in ifindex order.
	const lines = text.split('\n');
	const sorted = [...ip.ns.devices.values()].sort((a, b) => a.ifindex - b.ifindex);
	let out = '';
	sorted.forEach((d, index) => {
		if (keep(d)) out += `${lines[index * 2]}\n${lines[index * 2 + 1]}\n`;
	});
	ip.context.stdout.write(out);
	return 0;
}

/** The first free vethN name (what the kernel calls a peer nobody named). */
function freeVethName(ns: NetNamespace, taken: string): string {
	for (let n = 0; ; n++) {
		const name = `veth${n}`;
		if (!ns.devices.has(name) && name !== taken) return name;
	}
}

function linkAdd(ip: Ip, args: string[]): number {
	let name: string | undefined;
	let type: string | undefined;
	let peer: string | undefined;
	let peerNs: NetNamespace | undefined;
	let ownNs: NetNamespace | undefined;
	for (let i = 0; i < args.length; i++) {
		const word = args[i];
		if (word === 'type') {
			type = args[++i];
			if (type === undefined) throw new IpError('Command line is not complete. Try option "help"', 255);
			// The type's own arguments follow.
			for (i++; i < args.length; i++) {
				const arg = args[i];
				if (type !== 'veth') throw new IpError(`Garbage instead of arguments "${args.slice(i).join(' ')} ...". Try "ip link help".`, 255);
				if (arg === 'peer') continue;
				if (arg === 'name') peer = args[++i];
				else if (arg === 'netns') peerNs = targetNamespace(ip, args[++i] ?? '');
				else if (peer === undefined) peer = arg;
				else throw new IpError(`Error: either "name" is duplicate, or "${arg}" is a garbage.`, 255);
			}
		} else if (word === 'name') {
			name = args[++i];
		} else if (word === 'netns') {
			ownNs = targetNamespace(ip, args[++i] ?? '');
		} else if (word === 'help') {
			throw new IpError(linkUsage, 255);
		} else if (name === undefined) {
			name = word;
		} else {
			throw new IpError(`Error: either "dev" is duplicate, or "${word}" is a garbage.`, 255);
		}
	}

	if (type === undefined) throw new IpError('Not enough information: "type" argument is required', 1);
	if (type !== 'veth' && type !== 'bridge') throw new IpError('Error: Unknown device type.', 2);
	const ns = ownNs ?? ip.ns;
	try {
		if (type === 'bridge') {
			ns.addBridge(name ?? freeName(ns, 'bridge'));
		} else {
			const self = name ?? freeVethName(ns, '');
			ns.addVeth(self, peer ?? freeVethName(peerNs ?? ns, self), peerNs ?? ns);
		}
	} catch (error) {
		if (isKernelError(error) && error.errno === 'EEXIST') throw new IpError('RTNETLINK answers: File exists', 2);
		if (isKernelError(error) && error.errno === 'EINVAL') throw new IpError(`Error: argument "${name ?? ''}" is wrong: "name" not a valid ifname`, 255);
		rtnetlink(error);
	}

	return 0;
}

function freeName(ns: NetNamespace, stem: string): string {
	for (let n = 0; ; n++) if (!ns.devices.has(`${stem}${n}`)) return `${stem}${n}`;
}

function linkDelete(ip: Ip, args: string[]): number {
	const words = args[0] === 'dev' ? args.slice(1) : args;
	const name = words[0];
	if (name === undefined) throw new IpError('Not enough information: "dev" argument is required.', 255);
	if (words.length > 1 && words[1] !== 'type') throw new IpError(`Error: either "dev" is duplicate, or "${words[1]}" is a garbage.`, 255);
	device(ip, name);
	try {
		ip.ns.deleteLink(name);
	} catch (error) {
		rtnetlink(error);
	}

	return 0;
}

function linkSet(ip: Ip, args: string[]): number {
	let name: string | undefined;
	let up: boolean | undefined;
	let master: string | null | undefined;
	let moveTo: NetNamespace | undefined;
	let rename: string | undefined;
	for (let i = 0; i < args.length; i++) {
		const word = args[i];
		const value = () => {
			const next = args[++i];
			if (next === undefined) throw new IpError('Command line is not complete. Try option "help"', 255);
			return next;
		};

		if (word === 'up' || word === 'down') up = word === 'up';
		else if (word === 'master') master = value();
		else if (word === 'nomaster') master = null;
		else if (word === 'netns') moveTo = targetNamespace(ip, value());
		else if (word === 'name') rename = value();
		else if (word === 'dev') name = value();
		else if (word === 'help') throw new IpError(linkUsage, 255);
		else if (name === undefined) name = word;
		else throw new IpError(`Error: either "dev" is duplicate, or "${word}" is a garbage.`, 255);
	}

	if (name === undefined) throw new IpError('Not enough information: "dev" argument is required.', 255);
	device(ip, name);
	if (master) device(ip, master);
	try {
		// The kernel applies a namespace move before the rest (do_setlink).
		let ns = ip.ns;
		if (moveTo && moveTo !== ns) {
			ns.moveTo(name, moveTo);
			ns = moveTo;
		}

		if (rename !== undefined) {
			ns.rename(name, rename);
			name = rename;
		}

		if (master !== undefined) ns.setMaster(name, master ?? undefined);
		if (up !== undefined) ns.setUp(name, up);
	} catch (error) {
		if (isKernelError(error) && error.errno === 'EEXIST') throw new IpError('RTNETLINK answers: File exists', 2);
		if (isKernelError(error) && error.errno === 'EBUSY') throw new IpError('RTNETLINK answers: Device or resource busy', 2);
		rtnetlink(error);
	}

	ip.context.lab.changed();
	return 0;
}

function link(ip: Ip, args: string[]): number {
	const [command, ...rest] = args;
	if (command === undefined || matches(command, 'show') || matches(command, 'list') || command === 'lst') return linkShow(ip, rest);
	if (matches(command, 'add')) return linkAdd(ip, rest);
	if (matches(command, 'delete')) return linkDelete(ip, rest);
	if (matches(command, 'set')) return linkSet(ip, rest);
	if (matches(command, 'help')) throw new IpError(linkUsage, 255);
	// `ip link veth0` is `ip link show veth0` only for device names; iproute2 says:
	throw new IpError(`Command "${command}" is unknown, try "ip link help".`, 255);
}

// ───────────────────────── ip address ─────────────────────────

function addressShow(ip: Ip, args: string[]): number {
	let name: string | undefined;
	let upOnly = false;
	for (let i = 0; i < args.length; i++) {
		const word = args[i];
		if (word === 'dev') name = args[++i];
		else if (word === 'up') upOnly = true;
		else if (word === 'help') throw new IpError(addressUsage, 255);
		else if (name === undefined) name = word;
		else throw new IpError(`Error: either "dev" is duplicate, or "${word}" is a garbage.`, 255);
	}

	if (name !== undefined && !ip.ns.devices.has(name)) throw new IpError(`Device "${name}" does not exist.`, 1);
	const sorted = [...ip.ns.devices.values()].sort((a, b) => a.ifindex - b.ifindex);
	const keep = (d: NetDevice) => (name === undefined || d.name === name) && (!upOnly || d.up);
	if (ip.brief) {
		ip.context.stdout.write(sorted.filter(keep).map(d => {
			const addresses = d.addresses.map(a => `${formatIp(a.address)}/${a.prefix} `).join('');
			return `${briefName(ip, d).padEnd(16)} ${d.operState.padEnd(14)} ${addresses}\n`;
		}).join(''));
		return 0;
	}

	// formatAddresses prints each device as a block starting with "N: name".
	const text = ip.ns.formatAddresses(netnsNames(ip.kernel, ip.proc));
	const blocks = text.split(/\n(?=\d+: )/).map(block => (block.endsWith('\n') ? block : `${block}\n`));
	let out = '';
	sorted.forEach((d, index) => {
		if (keep(d)) out += blocks[index];
	});
	ip.context.stdout.write(out);
	return 0;
}

function addressChange(ip: Ip, args: string[], add: boolean): number {
	let prefix: string | undefined;
	let name: string | undefined;
	for (let i = 0; i < args.length; i++) {
		const word = args[i];
		if (word === 'dev') name = args[++i];
		else if (word === 'local') prefix = args[++i];
		else if (word === 'broadcast' || word === 'brd' || word === 'scope' || word === 'label') i++; // accepted, not simulated
		else if (prefix === undefined) prefix = word;
		else throw new IpError(`Error: either "local" is duplicate, or "${word}" is a garbage.`, 255);
	}

	if (name === undefined) throw new IpError('Not enough information: "dev" argument is required.', 1);
	if (prefix === undefined) throw new IpError('RTNETLINK answers: Operation not supported', 2);
	try {
		parseCidr(prefix);
	} catch {
		throw new IpError(`Error: any valid prefix is expected rather than "${prefix}".`, 1);
	}

	device(ip, name);
	try {
		if (add) ip.ns.addAddress(name, prefix.includes('/') ? prefix : `${prefix}/32`);
		else ip.ns.deleteAddress(name, prefix.includes('/') ? prefix : `${prefix}/32`);
	} catch (error) {
		if (isKernelError(error) && error.errno === 'EEXIST') throw new IpError('Error: ipv4: Address already assigned.', 2);
		if (isKernelError(error) && error.errno === 'EADDRNOTAVAIL') throw new IpError('RTNETLINK answers: Cannot assign requested address', 2);
		rtnetlink(error);
	}

	ip.context.lab.changed();
	return 0;
}

function address(ip: Ip, args: string[]): number {
	const [command, ...rest] = args;
	if (command === undefined || matches(command, 'show') || matches(command, 'list') || command === 'lst') return addressShow(ip, rest);
	if (matches(command, 'add')) return addressChange(ip, rest, true);
	if (matches(command, 'delete')) return addressChange(ip, rest, false);
	if (matches(command, 'help')) throw new IpError(addressUsage, 255);
	throw new IpError(`Command "${command}" is unknown, try "ip address help".`, 255);
}

// ───────────────────────── ip route ─────────────────────────

function routeChange(ip: Ip, args: string[], add: boolean): number {
	let destination: string | undefined;
	let via: string | undefined;
	let dev: string | undefined;
	for (let i = 0; i < args.length; i++) {
		const word = args[i];
		if (word === 'via') via = args[++i];
		else if (word === 'dev') dev = args[++i];
		else if (word === 'proto' || word === 'scope' || word === 'metric' || word === 'src') i++; // accepted, not simulated
		else if (word === 'to') destination = args[++i];
		else if (destination === undefined) destination = word;
		else throw new IpError(`Error: either "to" is duplicate, or "${word}" is a garbage.`, 255);
	}

	if (destination === undefined) throw new IpError(add ? 'RTNETLINK answers: Invalid argument' : 'RTNETLINK answers: No such process', 2);
	if (destination !== 'default') {
		try {
			parseCidr(destination);
		} catch {
			throw new IpError(`Error: any valid prefix is expected rather than "${destination}".`, 1);
		}
	}

	if (via !== undefined) {
		try {
			parseIp(via);
		} catch {
			throw new IpError(`Error: inet address is expected rather than "${via}".`, 1);
		}
	}

	if (dev !== undefined) device(ip, dev);
	try {
		if (add) ip.ns.addRoute(destination, via, dev);
		else ip.ns.deleteRoute(destination);
	} catch (error) {
		if (isKernelError(error) && error.errno === 'ENETDOWN') throw new IpError('Error: Nexthop device is not up.', 2);
		if (isKernelError(error) && error.errno === 'ENODEV') throw new IpError('Error: Device for nexthop is not up.', 2);
		rtnetlink(error);
	}

	return 0;
}

function routeGet(ip: Ip, args: string[]): number {
	const target = args.find(word => word !== 'to');
	if (target === undefined) throw new IpError('need at least a destination address', 255);
	let address: number;
	try {
		address = parseIp(target);
	} catch {
		throw new IpError(`Error: inet prefix is expected rather than "${target}".`, 1);
	}

	if (ip.ns.isLocal(address)) {
		const lo = (address >>> 24) === 127;
		const owner = lo ? 'lo' : [...ip.ns.devices.values()].find(d => d.addresses.some(a => a.address === address))!.name;
		ip.context.stdout.write(`local ${target} dev ${lo ? 'lo' : owner} src ${target} uid 0 \n    cache <local> \n`);
		return 0;
	}

	const route = ip.ns.lookup(address);
	if (!route) throw new IpError('RTNETLINK answers: Network is unreachable', 2);
	const source = route.src ?? route.dev.addresses[0]?.address;
	const via = route.via === undefined ? '' : ` via ${formatIp(route.via)}`;
	ip.context.stdout.write(`${target}${via} dev ${route.dev.name}${source === undefined ? '' : ` src ${formatIp(source)}`} uid 0 \n    cache \n`);
	return 0;
}

function route(ip: Ip, args: string[]): number {
	const [command, ...rest] = args;
	if (command === undefined || matches(command, 'show') || matches(command, 'list') || command === 'lst') {
		if (rest.length > 0 && rest[0] !== 'table' && rest[0] !== 'main') throw new IpError(`Error: either "to" is duplicate, or "${rest[0]}" is a garbage.`, 255);
		ip.context.stdout.write(ip.ns.formatRoutes());
		return 0;
	}

	if (matches(command, 'add')) return routeChange(ip, rest, true);
	if (matches(command, 'delete')) return routeChange(ip, rest, false);
	if (matches(command, 'get')) return routeGet(ip, rest);
	if (matches(command, 'help')) throw new IpError(routeUsage, 255);
	throw new IpError(`Command "${command}" is unknown, try "ip route help".`, 255);
}

// ───────────────────────── ip netns ─────────────────────────

async function netnsExec(ip: Ip, args: string[]): Promise<number> {
	const [name, ...argv] = args;
	if (name === undefined) throw new IpError('No netns name specified', 255);
	if (argv.length === 0) throw new IpError('No command specified', 255);
	namedNetnsOrFail(ip, name);
	const {session, kernel} = ip;
	// iproute2 forks, setns()es into the namespace and execs the command (with a private /sys of its own, not simulated).
	const helper = session.sys.fork({comm: 'ip'});
	helper.argv = ['ip', 'netns', 'exec', ...args];
	try {
		kernel.sys(helper).setnsPath(`/run/netns/${name}`, CLONE_NEWNET);
	} catch (error) {
		kernel.sys(helper).exit(1);
		session.sys.wait(helper.pidIn(session.proc.pidNs));
		throw new IpError(`setting the network namespace "${name}" failed: ${isKernelError(error) ? error.message : String(error)}`, 1);
	}

	// bash or sh: this lab's shell is built in (a nested shell in the namespace, until exit).
	const path = execvpPath(ip.context.env.get('PATH'));
	if (isShellName(argv[0]) && !session.findProgram(argv[0], path, helper)) return runIn(ip.context, 'ip', helper, [], []);
	if (!session.findProgram(argv[0], path, helper) && !ip.context.shell.command(argv[0])) {
		kernel.sys(helper).exit(255);
		session.sys.wait(helper.pidIn(session.proc.pidNs));
		throw new IpError(`exec of "${argv[0]}" failed: No such file or directory`, 255);
	}

	if (!session.findProgram(argv[0], path, helper)) return runCommandAs(ip.context, helper, argv);
	return runIn(ip.context, 'ip', helper, [], argv, environList(ip.context.env));
}

function namedNetnsOrFail(ip: Ip, name: string): NetNamespace {
	try {
		return namedNetns(ip.kernel, ip.proc, name);
	} catch {
		throw new IpError(`Cannot open network namespace "${name}": No such file or directory`, 1);
	}
}

async function netns(ip: Ip, args: string[]): Promise<number> {
	const [command, ...rest] = args;
	const {kernel, proc, context} = ip;
	if (command === undefined || matches(command, 'list') || command === 'show' || command === 'lst') {
		context.stdout.write(listNamedNetns(kernel, proc).map(name => `${name}\n`).join(''));
		return 0;
	}

	if (matches(command, 'add')) {
		const [name] = rest;
		if (name === undefined) throw new IpError('No netns name specified', 255);
		try {
			addNamedNetns(kernel, proc, name);
		} catch (error) {
			if (isKernelError(error) && error.errno === 'EEXIST') throw new IpError(`Cannot create namespace file "/run/netns/${name}": File exists`, 1);
			if (isKernelError(error) && error.errno === 'EINVAL') throw new IpError(`Invalid netns name "${name}"`, 255);
			throw error;
		}

		context.lab.changed();
		return 0;
	}

	if (matches(command, 'delete')) {
		const [name] = rest;
		if (name === undefined) throw new IpError('No netns name specified', 255);
		try {
			deleteNamedNetns(kernel, proc, name);
		} catch {
			throw new IpError(`Cannot remove namespace file "/run/netns/${name}": No such file or directory`, 1);
		}

		context.lab.changed();
		return 0;
	}

	if (matches(command, 'exec')) return netnsExec(ip, rest);
	if (matches(command, 'identify')) {
		const pid = rest[0] ?? String(kernel.sys(proc).getpid());
		let ns: NetNamespace | undefined;
		try {
			ns = (kernel.sys(proc).resolve(`/proc/${pid}/ns/net`).inode as {ns?: NetNamespace}).ns;
		} catch {
			throw new IpError(`Cannot open network namespace: No such file or directory`, 1);
		}

		const names = [...netnsNames(kernel, proc)].filter(([candidate]) => candidate === ns).map(([, name]) => name);
		context.stdout.write(names.map(name => `${name}\n`).join(''));
		return 0;
	}

	if (matches(command, 'pids')) {
		const [name] = rest;
		if (name === undefined) throw new IpError('No netns name specified', 255);
		const ns = namedNetnsOrFail(ip, name);
		const pids = [...kernel.tasks.table.values()].filter(p => p.alive && p.ns.net === ns).map(p => p.pidIn(proc.pidNs)).filter((pid): pid is number => pid !== undefined).sort((a, b) => a - b);
		context.stdout.write(pids.map(pid => `${pid}\n`).join(''));
		return 0;
	}

	if (matches(command, 'help')) throw new IpError(netnsUsage, 255);
	throw new IpError(`Command "${command}" is unknown, try "ip netns help".`, 255);
}

// ───────────────────────── the command ─────────────────────────

const notSimulated = ['addrlabel', 'maddress', 'rule', 'neighbor', 'neighbour', 'ntable', 'ntbl', 'l2tp', 'fou', 'ila', 'macsec', 'tunnel', 'tunl', 'tuntap', 'tap', 'token', 'tcpmetrics', 'tcp_metrics', 'monitor', 'xfrm', 'mroute', 'mrule', 'netconf', 'vrf', 'sr', 'nexthop', 'mptcp', 'ioam', 'stats'];
/** iproute2's object table, in its order (the first match of a prefix wins: a is address, n is neighbor). */
const objects = ['address', 'addrlabel', 'maddress', 'route', 'rule', 'neighbor', 'neighbour', 'ntable', 'ntbl', 'link', 'l2tp', 'fou', 'ila', 'macsec', 'tunnel', 'tunl', 'tuntap', 'tap', 'token', 'tcpmetrics', 'tcp_metrics', 'monitor', 'xfrm', 'mroute', 'mrule', 'netns', 'netconf', 'vrf', 'sr', 'nexthop', 'mptcp', 'ioam', 'help', 'stats'];

async function runIp(context: CommandContext): Promise<number> {
	const session = context.lab.kernel;
	const args = [...context.argv];
	let brief = false;
	let netnsName: string | undefined;
	while (args.length > 0 && args[0].startsWith('-') && args[0].length > 1) {
		const option = args.shift()!.replace(/^--/, '-');
		if (option === '-4' || option === '-h' || matches(option, '-human')) continue;
		if (option === '-f' || matches(option, '-family')) {
			const family = args.shift();
			if (family !== 'inet') throw new IpError(`ip -family ${family ?? ''}: only inet (IPv4) is simulated in this lab`, 255);
		} else if (matches(option, '-brief') && option.length >= 3) {
			brief = true;
		} else if (matches(option, '-netns')) {
			netnsName = args.shift();
			if (netnsName === undefined) throw new IpError('Option "-netns" requires an argument', 255);
		} else if (matches(option, '-Version')) {
			context.stdout.write('ip utility, iproute2-6.1.0 (ringlab simulation)\n');
			return 0;
		} else if (matches(option, '-help')) {
			context.stderr.write(usage);
			return 255;
		} else {
			throw new IpError(`Option "${option}" is unknown, try "ip -help".`, 255);
		}
	}

	const [objectWord, ...rest] = args;
	if (objectWord === undefined) {
		context.stderr.write(usage);
		return 255;
	}

	const object = objects.find(candidate => matches(objectWord, candidate));
	if (!object) throw new IpError(`Object "${objectWord}" is unknown, try "ip help".`, 1);
	if (object === 'help') {
		context.stderr.write(usage);
		return 255;
	}

	if (notSimulated.includes(object)) throw new IpError(`ip ${object}: not simulated in this lab (ip link, ip address, ip route and ip netns are; for namespaces write ip netns)`, 1);
	const proc = session.proc;
	const ip: Ip = {context, session, kernel: session.kernel, proc, ns: proc.ns.net, brief};
	if (netnsName !== undefined) ip.ns = namedNetnsOrFail(ip, netnsName);
	if (object === 'netns') return netns(ip, rest);
	if (object === 'link') return link(ip, rest);
	if (object === 'address') return address(ip, rest);
	return route(ip, rest);
}

/** Completion: objects, their commands, then names that fit the word before (devices, namespaces, keywords). */
function completeIp(context: CommandContext['lab'], index: number, args: readonly string[]): string[] {
	const words = args.filter(word => !word.startsWith('-'));
	if (index === 0) return ['address', 'link', 'netns', 'route', 'help'];
	const object = objects.find(candidate => matches(words[0], candidate));
	if (index === 1) {
		if (object === 'netns') return ['add', 'delete', 'exec', 'identify', 'list', 'pids'];
		if (object === 'link') return ['add', 'delete', 'set', 'show'];
		if (object === 'address') return ['add', 'del', 'show'];
		if (object === 'route') return ['add', 'del', 'get', 'show'];
		return [];
	}

	if (!context.kernelBooted) return [];
	const session = context.kernel;
	const proc = session.proc;
	const devices = [...proc.ns.net.devices.keys()];
	const namespaces = listNamedNetns(session.kernel, proc);
	const previous = args.at(-1);
	if (previous === 'netns') return namespaces;
	if (previous === 'dev' || previous === 'master') return devices;
	if (previous === 'type') return ['bridge', 'veth'];
	if (object === 'netns') return index === 2 && words[1] !== 'add' ? namespaces : [];
	if (object === 'link' && matches(words[1], 'set')) return index === 2 ? devices : ['up', 'down', 'master', 'nomaster', 'netns', 'name'];
	if (object === 'link' && (matches(words[1], 'delete') || matches(words[1], 'show'))) return devices;
	if (object === 'link' && matches(words[1], 'add')) return index === 2 ? [] : ['type', 'peer', 'name', 'netns'];
	if (object === 'address') return matches(words[1], 'show') ? devices : ['dev'];
	if (object === 'route') return ['via', 'dev', 'default'];
	return [];
}

export const ipCommand: Command = {
	name: 'ip',
	group: 'network',
	summary: 'show and change network namespaces, devices, addresses and routes (iproute2)',
	usage: 'ip [ OPTIONS ] OBJECT { COMMAND | help }',
	rawArguments: true,
	help: () => help,
	completeOperand: ({lab}, index, args) => completeIp(lab, index, args),
	async run(context) {
		try {
			return await runIp(context);
		} catch (error) {
			if (error instanceof IpError) {
				context.stderr.write(error.message.endsWith('\n') ? error.message : `${error.message}\n`);
				return error.status;
			}

			throw error;
		}
	},
};
