// IPv4 addresses and prefixes: parsing "10.0.0.1/24", masks, networks and
// the checks `ip` makes ("Error: any valid prefix is expected rather than …").

import {fail} from '../errors.js';

export type Cidr = {address: number; prefix: number};

export function parseIp(text: string): number {
	const parts = text.split('.');
	if (parts.length !== 4 || !parts.every(p => /^\d{1,3}$/.test(p) && Number(p) <= 255)) fail('EINVAL', `'${text}' is not an IPv4 address`);
	return ((Number(parts[0]) << 24) | (Number(parts[1]) << 16) | (Number(parts[2]) << 8) | Number(parts[3])) >>> 0;
}

export function formatIp(address: number): string {
	return [address >>> 24, (address >>> 16) & 255, (address >>> 8) & 255, address & 255].join('.');
}

export function parseCidr(text: string, defaultPrefix = 32): Cidr {
	const [ip, prefixText] = text.split('/');
	const prefix = prefixText === undefined ? defaultPrefix : Number(prefixText);
	if (!Number.isInteger(prefix) || prefix < 0 || prefix > 32 || (prefixText !== undefined && !/^\d+$/.test(prefixText))) fail('EINVAL', `'${text}': the prefix length must be 0 to 32`);
	return {address: parseIp(ip), prefix};
}

export function mask(prefix: number): number {
	return prefix === 0 ? 0 : (0xffff_ffff << (32 - prefix)) >>> 0;
}

export function network(cidr: Cidr): number {
	return (cidr.address & mask(cidr.prefix)) >>> 0;
}

export function broadcast(cidr: Cidr): number {
	return (network(cidr) | ~mask(cidr.prefix)) >>> 0;
}

export function contains(cidr: Cidr, address: number): boolean {
	return ((address & mask(cidr.prefix)) >>> 0) === network(cidr);
}

export function formatCidr(cidr: Cidr): string {
	return `${formatIp(cidr.address)}/${cidr.prefix}`;
}
