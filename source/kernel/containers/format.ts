// Docker's tables, as `docker ps`, `docker images` and `docker history`
// print them: columns three spaces apart, 12-digit IDs, sizes in SI units
// (HumanSize: 12.3kB), ages in words (HumanDuration: "5 seconds ago",
// "About a minute ago"), COMMAND quoted and cut at 20 characters.

import type {Container, Docker} from './engine.js';
import {type Image, shortId} from './images.js';

/** go-units HumanSize: decimal units, 3 significant digits. */
export function humanSize(bytes: number): string {
	const units = ['B', 'kB', 'MB', 'GB', 'TB'];
	let value = bytes;
	let unit = 0;
	while (value >= 1000 && unit < units.length - 1) {
		value /= 1000;
		unit++;
	}

	return `${Number(value.toPrecision(3))}${units[unit]}`;
}

/** go-units HumanDuration. */
export function humanDuration(seconds: number): string {
	if (seconds < 1) return 'Less than a second';
	if (seconds < 2) return '1 second';
	if (seconds < 60) return `${Math.floor(seconds)} seconds`;
	const minutes = seconds / 60;
	if (minutes < 2) return 'About a minute';
	if (minutes < 60) return `${Math.floor(minutes)} minutes`;
	const hours = minutes / 60;
	if (hours < 2) return 'About an hour';
	if (hours < 48) return `${Math.floor(hours)} hours`;
	return `${Math.floor(hours / 24)} days`;
}

function ago(nowNs: number, thenNs: number): string {
	return `${humanDuration((nowNs - thenNs) / 1e9)} ago`;
}

export function table(header: string[], rows: string[][]): string {
	const widths = header.map((h, i) => Math.max(h.length, ...rows.map(r => r[i].length)));
	const line = (cells: string[]) => cells.map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i]))).join('   ').trimEnd();
	return `${[line(header), ...rows.map(line)].join('\n')}\n`;
}

export function containerStatus(c: Container, nowNs: number): string {
	switch (c.state) {
		case 'created': {
			return 'Created';
		}

		case 'running': {
			return `Up ${humanDuration((nowNs - c.startedNs) / 1e9)}`;
		}

		case 'paused': {
			return `Up ${humanDuration((nowNs - c.startedNs) / 1e9)} (Paused)`;
		}

		case 'restarting': {
			return `Restarting (${c.exitCode}) ${ago(nowNs, c.finishedNs)}`;
		}

		case 'exited': {
			return `Exited (${c.exitCode}) ${ago(nowNs, c.finishedNs)}`;
		}

		default: {
			return 'Dead';
		}
	}
}

function command(c: Container): string {
	const text = c.cmd.join(' ');
	return `"${text.length > 20 ? `${text.slice(0, 19)}…` : text}"`;
}

/** docker ps */
export function formatPs(containers: Container[], nowNs: number): string {
	return table(['CONTAINER ID', 'IMAGE', 'COMMAND', 'CREATED', 'STATUS', 'PORTS', 'NAMES'], containers.map(c => [
		c.id.slice(0, 12), c.imageReference, command(c), ago(nowNs, c.createdNs), containerStatus(c, nowNs), '', c.name,
	]));
}

export function imageSize(image: Image): number {
	return image.layers.reduce((sum, layer) => sum + layer.size, 0);
}

/** docker images (tagged images; dangling ones as <none>). */
export function formatImages(docker: Docker, nowNs: number, all = false): string {
	const rows: string[][] = [];
	for (const image of docker.images()) {
		if (image.tags.length === 0) {
			const isParent = [...docker.store.images.values()].some(other => other.parent === image.id);
			if (!all && isParent) continue;
			rows.push(['<none>', '<none>', shortId(image.id), ago(nowNs, image.createdNs), humanSize(imageSize(image))]);
		}

		for (const tag of image.tags) {
			const colon = tag.lastIndexOf(':');
			rows.push([tag.slice(0, colon), tag.slice(colon + 1), shortId(image.id), ago(nowNs, image.createdNs), humanSize(imageSize(image))]);
		}
	}

	return table(['REPOSITORY', 'TAG', 'IMAGE ID', 'CREATED', 'SIZE'], rows);
}

export type HistoryRow = {image: string; createdNs: number; createdBy: string; size: number};

/** The rows of docker history, newest first; IDs for steps whose image is still here, else <missing>. */
export function historyRows(docker: Docker, image: Image): HistoryRow[] {
	const chain: Image[] = [];
	for (let i: Image | undefined = image; i; i = i.parent ? docker.store.images.get(i.parent) : undefined) chain.push(i);
	const rows: HistoryRow[] = [];
	const entries = [...image.history].reverse();
	for (const [index, entry] of entries.entries()) {
		const length = image.history.length - index;
		const owner = chain.find(i => i.history.length === length);
		rows.push({image: owner ? shortId(owner.id) : '<missing>', createdNs: entry.createdNs, createdBy: entry.createdBy, size: entry.size});
	}

	return rows;
}

/** docker history */
export function formatHistory(docker: Docker, image: Image, nowNs: number, noTrunc = false): string {
	return table(['IMAGE', 'CREATED', 'CREATED BY', 'SIZE', 'COMMENT'], historyRows(docker, image).map(row => [
		row.image, ago(nowNs, row.createdNs), noTrunc || row.createdBy.length <= 45 ? row.createdBy : `${row.createdBy.slice(0, 44)}…`, humanSize(row.size), '',
	]));
}
