// pivot_root, as util-linux has it: make NEW_ROOT the root mount of this
// mount namespace and put the old root at PUT_OLD — what container runtimes
// (runc) do instead of chroot, so the old root can then be unmounted and
// nothing outside the container's filesystem stays reachable. Every process
// of the namespace whose root (or cwd) was the old root moves with it.
//
// Simplification: the lab refuses it in the initial mount namespace, where
// it would move the lab's own shell and init into NEW_ROOT for good (Linux
// allows it there; systemd's shared root mount makes it fail with EINVAL).

import {CommandError, type Command} from '../command.js';
import {sysOf, why} from './files.js';

export const pivotRootCommand: Command = {
	name: 'pivot_root',
	group: 'namespaces',
	summary: 'change the root mount of this mount namespace',
	usage: 'pivot_root NEW_ROOT PUT_OLD',
	description: `NEW_ROOT must be a mount point (an overlay, or bind-mount it on itself) and
PUT_OLD a directory under it. Run it in a new mount namespace (unshare
--mount …), then: cd /; umount -l /PUT_OLD.`,
	operands: {min: 2, max: 2},
	run(context) {
		const session = context.lab.kernel;
		const {kernel, proc} = session;
		if (proc.ns.mnt === kernel.init.ns.mnt) {
			throw new CommandError('refusing to pivot the host\'s mount namespace (it would move this lab\'s own shell); unshare --mount first');
		}

		const [newRoot, putOld] = context.operands;
		try {
			sysOf(context).pivotRoot(newRoot, putOld);
		} catch (error) {
			throw new CommandError(`failed to change root from '${newRoot}' to '${putOld}': ${why(error)}`);
		}

		context.lab.changed();
		return 0;
	},
};
