// docker inspect: containers in the engine's own Docker field names
// (State.Pid, HostConfig.Memory, GraphDriver.Data.LowerDir …) and images
// (RootFS.Layers, the layer directories), as a JSON array indented like
// Docker's; -f/--format with the Go template forms lessons use:
// {{.State.Pid}}, {{.NetworkSettings.IPAddress}}, {{json .Config}}, text
// around them. A missing field prints <no value>, as Go's templates do.

import type {Docker} from '../../kernel/containers/engine.js';
import {imageSize} from '../../kernel/containers/format.js';
import type {Image} from '../../kernel/containers/images.js';

export function imageInspect(docker: Docker, image: Image): Record<string, unknown> {
	const top = image.layers.at(-1);
	return {
		Id: image.id,
		RepoTags: image.tags,
		Parent: image.parent ?? '',
		Created: new Date(image.createdNs / 1e6).toISOString(),
		Config: {Env: image.config.env, Cmd: image.config.cmd.length > 0 ? image.config.cmd : null, WorkingDir: image.config.workdir === '/' ? '' : image.config.workdir},
		Architecture: 'ringlab',
		Os: 'linux',
		Size: imageSize(image),
		GraphDriver: {
			Name: 'overlay2',
			Data: {
				LowerDir: image.layers.slice(0, -1).reverse().map(layer => layer.dir).join(':') || undefined,
				UpperDir: top?.dir,
			},
		},
		RootFS: {Type: 'layers', Layers: image.layers.map(layer => layer.digest)},
	};
}

/** Go's %v of a value: maps as map[k:v], slices as [a b]. */
function goValue(value: unknown): string {
	if (value === undefined || value === null) return '<no value>';
	if (Array.isArray(value)) return `[${value.map(goValue).join(' ')}]`;
	if (typeof value === 'object') return `map[${Object.keys(value).sort().map(key => `${key}:${goValue((value as Record<string, unknown>)[key])}`).join(' ')}]`;
	return String(value);
}

function lookup(object: unknown, path: string): unknown {
	let value: unknown = object;
	for (const key of path.split('.').filter(Boolean)) {
		if (value === null || typeof value !== 'object') return undefined;
		value = (value as Record<string, unknown>)[key];
	}

	return value;
}

/** Execute a template like '{{.State.Pid}}' or 'ip={{.NetworkSettings.IPAddress}}' on one object. */
export function applyTemplate(template: string, object: unknown): string {
	return template.replaceAll(/{{\s*(json\s+)?(\.[\w.]*)\s*}}/g, (_match, json: string | undefined, path: string) => {
		const value = lookup(object, path);
		return json ? JSON.stringify(value ?? null) : goValue(value);
	});
}

/** Whether a template uses only what applyTemplate understands. */
export function templateError(template: string): string | undefined {
	const actions = template.match(/{{[^}]*}}/g) ?? [];
	const bad = actions.find(action => !/^{{\s*(json\s+)?\.[\w.]*\s*}}$/.test(action));
	return bad ? `template: the action ${bad} is not supported in this lab (use {{.Field.Sub}} or {{json .Field}})` : undefined;
}
