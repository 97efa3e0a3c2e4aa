// layers: what the layer-stack panel shows, printed — every overlay mount the
// shell can see (or the one at MOUNTPOINT): its layers top to bottom, each
// file of the merged view with the layer it comes from (and whether it was
// copied up), and the whiteouts and opaque directories in each layer. Not a
// Linux command: on Linux you would read the same facts from the upperdir
// and lowerdirs themselves (ls -l shows whiteouts as 0, 0 character
// devices; getfattr -n trusted.overlay.opaque shows opaque directories).

import {formatLayerStack, layerStack} from '../../kernel/snapshots.js';
import {CommandError, type Command} from '../command.js';
import {sysOf} from './files.js';

export const layersCommand: Command = {
	name: 'layers',
	group: 'namespaces',
	summary: 'show the layer stack of overlay mounts: where each merged file comes from',
	usage: 'layers [MOUNTPOINT]',
	description: `Without MOUNTPOINT, every overlay mount in this shell's mount namespace.
Layers are named as lesson checkpoints name them: upper, then lower0 (the
leftmost lowerdir, the top of the lower stack), lower1 …
Not a Linux command: it prints what the layers panel shows.`,
	operands: {max: 1},
	run(context) {
		const {kernel, proc} = context.lab.kernel;
		const [wanted] = context.operands;
		const mountpoints = wanted === undefined
			? sysOf(context).readFile('/proc/self/mounts').split('\n').map(line => line.split(' ')).filter(fields => fields[2] === 'overlay').map(fields => fields[1])
			: [wanted];
		if (mountpoints.length === 0) {
			context.stdout.write('no overlay mounts (mount -t overlay overlay -o lowerdir=…,upperdir=…,workdir=… DIR)\n');
			return 0;
		}

		const texts = mountpoints.map(mountpoint => {
			const stack = layerStack(kernel, mountpoint, proc);
			if (!stack) throw new CommandError(`${mountpoint}: not the root of an overlay mount`);
			return formatLayerStack(stack);
		});
		context.stdout.write(texts.join('\n'));
		return 0;
	},
};
