// Network namespaces and the links between them: each namespace has its own
// devices (a loopback "lo", DOWN in a new namespace as in Linux), addresses,
// routes and net.ipv4.ip_forward. veth pairs join two namespaces; a bridge
// joins its ports into one segment. ping walks what a real packet needs:
// a route in the sender's namespace, every device on the way UP, a neighbour
// owning the next hop on the same segment (ARP), forwarding at routers
// (ip_forward), and a route back for the reply. Output and errors follow
// iproute2 and iputils.
//
// Simplifications: IPv4 only (no inet6 lines); no packet filtering (iptables,
// NAT) and no outside network; ping does not advance simulated time, and its
// round-trip times are computed from the hop count (20 µs per hop each way).

import {fail} from '../errors.js';
import {Namespace, type UserNamespace} from '../namespaces.js';
import {type Cidr, broadcast, contains, formatCidr, formatIp, network, parseCidr, parseIp} from './ipv4.js';

export type LinkType = 'loopback' | 'veth' | 'bridge';

export class NetDevice {
	up = false;
	readonly addresses: Cidr[] = [];
	peer: NetDevice | undefined;
	master: NetDevice | undefined;
	readonly ports = new Set<NetDevice>();
	rxPackets = 0;
	txPackets = 0;

	constructor(public ifindex: number, public name: string, readonly type: LinkType, public ns: NetNamespace, readonly mac: string, readonly mtu: number) {}

	/** The link has carrier: loopback always, a bridge with an up port, a veth whose peer is up. */
	get carrier(): boolean {
		if (this.type === 'loopback') return true;
		if (this.type === 'bridge') return [...this.ports].some(p => p.up && p.carrier);
		return this.peer?.up === true;
	}

	/** ip link's flags, e.g. <BROADCAST,MULTICAST,UP,LOWER_UP>. */
	get flagString(): string {
		if (this.type === 'loopback') return `<LOOPBACK${this.up ? ',UP,LOWER_UP' : ''}>`;
		const flags = ['BROADCAST', 'MULTICAST'];
		if (this.up) flags.push('UP');
		if (this.up && this.carrier) flags.push('LOWER_UP');
		if (this.up && !this.carrier) flags.unshift('NO-CARRIER');
		// iproute2 prints M-DOWN when the link's peer (IFLA_LINK) is down and in the same namespace (it cannot look across).
		if (this.type === 'veth' && this.peer?.ns === this.ns && !this.peer.up) flags.push('M-DOWN');
		return `<${flags.join(',')}>`;
	}

	get operState(): string {
		if (this.type === 'loopback') return this.up ? 'UNKNOWN' : 'DOWN';
		if (!this.up) return 'DOWN';
		if (this.carrier) return 'UP';
		return this.type === 'veth' ? 'LOWERLAYERDOWN' : 'DOWN';
	}
}

export type Route = {dest: Cidr; via?: number; dev: NetDevice; proto: 'kernel' | 'static'; scope: 'link' | 'global' | 'host'; src?: number};

export type PingReply = {seq: number; from: string; ttl: number; timeMs: number} | {seq: number; from: string; error: string};
export type PingResult = {target: string; replies: PingReply[]; transmitted: number; received: number; errors: number; error?: string};

export class NetNamespace extends Namespace {
	readonly type = 'net';
	readonly devices = new Map<string, NetDevice>();
	readonly staticRoutes: Route[] = [];
	/** sysctl net.ipv4.ip_forward (0 in a new namespace). */
	ipForward = false;
	private nextIfindex = 1;

	constructor(inode: number, owner: UserNamespace, readonly network: Network) {
		super(inode, owner);
		const lo = this.addDevice('lo', 'loopback', 65_536, '00:00:00:00:00:00');
		lo.addresses.push({address: parseIp('127.0.0.1'), prefix: 8});
		network.namespaces.add(this);
	}

	private addDevice(name: string, type: LinkType, mtu = 1500, mac = this.network.nextMac()): NetDevice {
		if (this.devices.has(name)) fail('EEXIST', `device ${name} already exists`);
		if (!/^[\w.-]{1,15}$/.test(name)) fail('EINVAL', `'${name}' is not a valid device name (1-15 letters, digits, . - _)`);
		const device = new NetDevice(this.nextIfindex++, name, type, this, mac, mtu);
		this.devices.set(name, device);
		return device;
	}

	device(name: string): NetDevice {
		const device = this.devices.get(name);
		if (!device) fail('ENODEV', `Cannot find device "${name}"`);
		return device;
	}

	/** ip link add NAME type veth peer name PEER [netns NS] */
	addVeth(name: string, peerName: string, peerNs: NetNamespace = this, peerMac?: string): [NetDevice, NetDevice] {
		if (peerNs.devices.has(peerName) || (peerNs === this && peerName === name)) fail('EEXIST', `device ${peerName} already exists`);
		const a = this.addDevice(name, 'veth');
		const b = peerNs.addDevice(peerName, 'veth', 1500, peerMac);
		a.peer = b;
		b.peer = a;
		return [a, b];
	}

	/** ip link add NAME type bridge */
	addBridge(name: string): NetDevice {
		return this.addDevice(name, 'bridge');
	}

	/** ip link delete NAME (a veth takes its peer with it). */
	deleteLink(name: string): void {
		const device = this.device(name);
		if (device.type === 'loopback') fail('EOPNOTSUPP', 'the loopback device cannot be deleted');
		this.remove(device);
		if (device.peer) device.peer.ns.remove(device.peer);
	}

	private remove(device: NetDevice): void {
		device.ns.devices.delete(device.name);
		device.master?.ports.delete(device);
		for (const port of device.ports) port.master = undefined;
		for (let i = device.ns.staticRoutes.length - 1; i >= 0; i--) if (device.ns.staticRoutes[i].dev === device) device.ns.staticRoutes.splice(i, 1);
	}

	/** ip link set NAME up|down */
	setUp(name: string, up: boolean): void {
		const device = this.device(name);
		device.up = up;
		if (!up) for (let i = this.staticRoutes.length - 1; i >= 0; i--) if (this.staticRoutes[i].dev === device) this.staticRoutes.splice(i, 1);
	}

	/** ip link set NAME master BRIDGE | nomaster */
	setMaster(name: string, bridge: string | undefined): void {
		const device = this.device(name);
		device.master?.ports.delete(device);
		device.master = undefined;
		if (bridge === undefined) return;
		const master = this.device(bridge);
		if (master.type !== 'bridge') fail('EOPNOTSUPP', `${bridge} is not a bridge`);
		if (device === master) fail('ELOOP');
		device.master = master;
		master.ports.add(device);
	}

	/** ip link set NAME netns OTHER: the device moves (addresses are dropped, as in Linux). */
	moveTo(name: string, target: NetNamespace): void {
		const device = this.device(name);
		if (device.type === 'loopback') fail('EINVAL', 'the loopback device cannot move');
		if (target.devices.has(name)) fail('EEXIST', `device ${name} already exists in the target namespace`);
		this.remove(device);
		device.up = false;
		device.addresses.length = 0;
		device.ns = target;
		device.ifindex = target.nextIfindex++;
		target.devices.set(name, device);
	}

	/** ip link set NAME name NEW */
	rename(name: string, next: string): void {
		const device = this.device(name);
		if (device.up) fail('EBUSY', 'set the device down before renaming it');
		if (this.devices.has(next)) fail('EEXIST');
		this.devices.delete(name);
		device.name = next;
		this.devices.set(next, device);
	}

	/** ip addr add CIDR dev NAME */
	addAddress(name: string, cidrText: string): void {
		const device = this.device(name);
		const cidr = parseCidr(cidrText);
		if (device.addresses.some(a => a.address === cidr.address && a.prefix === cidr.prefix)) fail('EEXIST', 'RTNETLINK answers: File exists');
		device.addresses.push(cidr);
	}

	deleteAddress(name: string, cidrText: string): void {
		const device = this.device(name);
		const cidr = parseCidr(cidrText);
		const index = device.addresses.findIndex(a => a.address === cidr.address && a.prefix === cidr.prefix);
		if (index < 0) fail('EADDRNOTAVAIL', 'RTNETLINK answers: Cannot assign requested address');
		device.addresses.splice(index, 1);
	}

	/** The routing table: connected routes of up devices, then static ones. */
	routes(): Route[] {
		const routes: Route[] = [];
		for (const device of this.devices.values()) {
			if (!device.up || device.type === 'loopback') continue;
			for (const a of device.addresses) routes.push({dest: {address: network(a), prefix: a.prefix}, dev: device, proto: 'kernel', scope: 'link', src: a.address});
		}

		return [...routes, ...this.staticRoutes];
	}

	/** ip route add DEST [via GW] [dev NAME] */
	addRoute(destText: string, via?: string, devName?: string): void {
		const dest = destText === 'default' ? {address: 0, prefix: 0} : parseCidr(destText);
		dest.address = network(dest);
		const gateway = via === undefined ? undefined : parseIp(via);
		let dev: NetDevice | undefined = devName ? this.device(devName) : undefined;
		if (gateway !== undefined) {
			const connected = this.routes().find(r => r.proto === 'kernel' && contains(r.dest, gateway));
			if (!connected) fail('ENETUNREACH', 'Error: Nexthop has invalid gateway.');
			dev ??= connected.dev;
		}

		if (!dev) fail('ENODEV', 'give a device or a gateway');
		if (!dev.up) fail('ENETDOWN', 'the device is down');
		if (this.staticRoutes.some(r => r.dest.address === dest.address && r.dest.prefix === dest.prefix)) fail('EEXIST', 'RTNETLINK answers: File exists');
		this.staticRoutes.push({dest, via: gateway, dev, proto: 'static', scope: gateway === undefined ? 'link' : 'global'});
	}

	deleteRoute(destText: string): void {
		const dest = destText === 'default' ? {address: 0, prefix: 0} : parseCidr(destText);
		const index = this.staticRoutes.findIndex(r => r.dest.address === network(dest) && r.dest.prefix === dest.prefix);
		if (index < 0) fail('ESRCH', 'RTNETLINK answers: No such process');
		this.staticRoutes.splice(index, 1);
	}

	/** Longest-prefix match. */
	lookup(address: number): Route | undefined {
		let best: Route | undefined;
		for (const route of this.routes()) {
			if (!contains(route.dest, address)) continue;
			if (!best || route.dest.prefix > best.dest.prefix) best = route;
		}

		return best;
	}

	/** Is `address` one of this namespace's own (on an up device; 127/8 needs lo up)? */
	isLocal(address: number): boolean {
		const lo = this.devices.get('lo')!;
		if ((address >>> 24) === 127) return lo.up;
		for (const device of this.devices.values()) if (device.addresses.some(a => a.address === address)) return lo.up && device.up;
		return false;
	}

	private ownsAddress(address: number): boolean {
		for (const device of this.devices.values()) if (device.addresses.some(a => a.address === address)) return true;
		return (address >>> 24) === 127;
	}

	// ───────────────────────── iproute2 output ─────────────────────────

	private linkHeader(device: NetDevice, withMode: boolean, viewer: Map<NetNamespace, string>): string {
		let name = device.name;
		if (device.type === 'veth' && device.peer) name += device.peer.ns === this ? `@${device.peer.name}` : `@if${device.peer.ifindex}`;
		const qdisc = device.up ? 'noqueue' : 'noop';
		const master = device.master ? ` master ${device.master.name}` : '';
		return `${device.ifindex}: ${name}: ${device.flagString} mtu ${device.mtu} qdisc ${qdisc}${master} state ${device.operState}${withMode ? ' mode DEFAULT' : ''} group default qlen 1000\n`
			+ `    link/${device.type === 'loopback' ? 'loopback' : 'ether'} ${device.mac} brd ${device.type === 'loopback' ? '00:00:00:00:00:00' : 'ff:ff:ff:ff:ff:ff'}${this.peerNote(device, viewer)}\n`;
	}

	private peerNote(device: NetDevice, names: Map<NetNamespace, string>): string {
		if (device.type !== 'veth' || !device.peer || device.peer.ns === this) return '';
		const name = names.get(device.peer.ns);
		return name ? ` link-netns ${name}` : ' link-netnsid 0';
	}

	/** `ip link` (names: how namespaces are known, e.g. from /run/netns, for link-netns). */
	formatLinks(names = new Map<NetNamespace, string>()): string {
		return [...this.devices.values()].sort((a, b) => a.ifindex - b.ifindex).map(d => this.linkHeader(d, true, names)).join('');
	}

	/** `ip addr` */
	formatAddresses(names = new Map<NetNamespace, string>()): string {
		return [...this.devices.values()].sort((a, b) => a.ifindex - b.ifindex).map(d => {
			let text = this.linkHeader(d, false, names);
			for (const a of d.addresses) {
				const scope = (a.address >>> 24) === 127 ? 'host' : 'global';
				const brd = d.type === 'loopback' || a.prefix >= 31 ? '' : ` brd ${formatIp(broadcast(a))}`;
				text += `    inet ${formatCidr(a)}${brd} scope ${scope} ${d.name}\n       valid_lft forever preferred_lft forever\n`;
			}

			return text;
		}).join('');
	}

	/** `ip route` */
	formatRoutes(): string {
		const routes = this.routes().sort((a, b) => a.dest.prefix - b.dest.prefix);
		return routes.map(r => {
			const dest = r.dest.prefix === 0 ? 'default' : `${formatIp(r.dest.address)}/${r.dest.prefix}`;
			const via = r.via === undefined ? '' : ` via ${formatIp(r.via)}`;
			const tail = r.proto === 'kernel' ? ` proto kernel scope link src ${formatIp(r.src!)}` : r.via === undefined ? ' scope link' : '';
			const linkdown = r.dev.carrier ? '' : ' linkdown';
			return `${dest}${via} dev ${r.dev.name}${tail}${linkdown} \n`;
		}).join('');
	}

	/** ping -c COUNT ADDRESS from this namespace. */
	ping(targetText: string, count = 3): PingResult {
		const target = parseIp(targetText);
		const result: PingResult = {target: targetText, replies: [], transmitted: count, received: 0, errors: 0};
		for (let seq = 1; seq <= count; seq++) {
			const outcome = this.network.send(this, target);
			if (outcome.kind === 'unreachable-here') {
				result.error = 'connect: Network is unreachable';
				result.transmitted = 0;
				return result;
			}

			if (outcome.kind === 'reply') {
				result.received++;
				result.replies.push({seq, from: targetText, ttl: outcome.ttl, timeMs: outcome.hops * 0.04});
			} else if (outcome.kind === 'error') {
				result.errors++;
				result.replies.push({seq, from: formatIp(outcome.from), error: outcome.message});
			}
		}

		return result;
	}

	/** For the Network: does this namespace answer for `address`? */
	answers(address: number): boolean {
		return this.ownsAddress(address);
	}
}

type SendOutcome =
	| {kind: 'reply'; ttl: number; hops: number}
	| {kind: 'error'; from: number; message: string}
	| {kind: 'lost'}
	| {kind: 'unreachable-here'};

/** The wires: finds neighbours across veth pairs and bridges, forwards at routers. */
export class Network {
	readonly namespaces = new Set<NetNamespace>();
	private macCounter = 1;

	nextMac(): string {
		const n = this.macCounter++;
		return `0e:72:6c:${((n >> 16) & 255).toString(16).padStart(2, '0')}:${((n >> 8) & 255).toString(16).padStart(2, '0')}:${(n & 255).toString(16).padStart(2, '0')}`;
	}

	/** Devices on the same layer-2 segment as `device` (across its veth peer and bridges), all up. */
	private segment(device: NetDevice): NetDevice[] {
		const seen = new Set<NetDevice>();
		const stack = [device];
		while (stack.length > 0) {
			const d = stack.pop()!;
			if (seen.has(d) || !d.up) continue;
			seen.add(d);
			if (d.type === 'veth' && d.peer?.up) stack.push(d.peer);
			if (d.master?.up) stack.push(d.master);
			if (d.type === 'bridge') for (const port of d.ports) stack.push(port);
		}

		seen.delete(device);
		return [...seen];
	}

	/** ARP: the device on the segment that owns `address`. */
	private neighbour(device: NetDevice, address: number): NetDevice | undefined {
		const candidates = [device, ...this.segment(device)];
		return candidates.find(d => d !== device && d.addresses.some(a => a.address === address)) ?? undefined;
	}

	/** Route one packet from `ns` to `target` and back. */
	send(ns: NetNamespace, target: number): SendOutcome {
		if (ns.isLocal(target)) return {kind: 'reply', ttl: 64, hops: 1};
		const forward = this.deliver(ns, target, 64, 0);
		if (forward.kind !== 'arrived') return forward.kind === 'no-route-here' ? {kind: 'unreachable-here'} : forward;
		// The reply travels back from the target namespace to the sender's address.
		const source = this.sourceAddress(ns, target);
		if (source === undefined) return {kind: 'lost'};
		const back = this.deliver(forward.ns, source, 64, 0);
		if (back.kind !== 'arrived' || back.ns !== ns) return {kind: 'lost'};
		return {kind: 'reply', ttl: back.ttl, hops: forward.hops + back.hops};
	}

	private sourceAddress(ns: NetNamespace, target: number): number | undefined {
		const route = ns.lookup(target);
		if (!route) return undefined;
		return route.src ?? route.dev.addresses[0]?.address;
	}

	private deliver(ns: NetNamespace, target: number, ttl: number, hops: number):
	| {kind: 'arrived'; ns: NetNamespace; ttl: number; hops: number}
	| {kind: 'error'; from: number; message: string}
	| {kind: 'lost'}
	| {kind: 'no-route-here'} {
		if (ttl <= 0) return {kind: 'lost'};
		if (hops > 0 && ns.isLocal(target)) return {kind: 'arrived', ns, ttl, hops};
		const route = ns.lookup(target);
		if (!route) {
			if (hops === 0) return {kind: 'no-route-here'};
			const from = [...ns.devices.values()].flatMap(d => d.addresses).find(a => (a.address >>> 24) !== 127)?.address ?? 0;
			return {kind: 'error', from, message: 'Destination Net Unreachable'};
		}

		const nextHop = route.via ?? target;
		const neighbour = this.neighbour(route.dev, nextHop);
		if (!neighbour) {
			const from = route.src ?? route.dev.addresses[0]?.address ?? 0;
			return {kind: 'error', from, message: 'Destination Host Unreachable'};
		}

		route.dev.txPackets++;
		neighbour.rxPackets++;
		const next = neighbour.ns;
		if (next.answers(target)) return {kind: 'arrived', ns: next, ttl, hops: hops + 1};
		if (!next.ipForward) return {kind: 'lost'};
		return this.deliver(next, target, ttl - 1, hops + 1);
	}
}

export {contains, formatCidr, formatIp, parseCidr, parseIp};

/** What iputils ping prints for a result. */
export function formatPing(result: PingResult): string {
	if (result.error) return `ping: ${result.error}\n`;
	const lines = [`PING ${result.target} (${result.target}) 56(84) bytes of data.`];
	const times: number[] = [];
	for (const reply of result.replies) {
		if ('error' in reply) lines.push(`From ${reply.from} icmp_seq=${reply.seq} ${reply.error}`);
		else {
			lines.push(`64 bytes from ${reply.from}: icmp_seq=${reply.seq} ttl=${reply.ttl} time=${reply.timeMs.toFixed(3)} ms`);
			times.push(reply.timeMs);
		}
	}

	const loss = result.transmitted === 0 ? 0 : Math.round(((result.transmitted - result.received) / result.transmitted) * 100);
	lines.push('', `--- ${result.target} ping statistics ---`);
	const errors = result.errors > 0 ? ` +${result.errors} errors,` : '';
	lines.push(`${result.transmitted} packets transmitted, ${result.received} received,${errors} ${loss}% packet loss, time ${Math.max(0, (result.transmitted - 1) * 1000 + result.transmitted)}ms`);
	if (times.length > 0) {
		const avg = times.reduce((a, b) => a + b, 0) / times.length;
		const mdev = Math.sqrt(times.reduce((sum, x) => sum + (x - avg) ** 2, 0) / times.length);
		lines.push(`rtt min/avg/max/mdev = ${Math.min(...times).toFixed(3)}/${avg.toFixed(3)}/${Math.max(...times).toFixed(3)}/${mdev.toFixed(3)} ms`);
	}

	return `${lines.join('\n')}\n`;
}
