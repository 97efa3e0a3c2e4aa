// The lab's shell is built in: no image, namespace or chroot here has a
// /bin/sh. So where a real tool would exec a shell (ip netns exec NS bash,
// docker exec -it C sh, docker run -it IMAGE sh), the lab starts its own
// shell as that process instead — a nested shell, until `exit`.

const shellNames = new Set(['sh', 'bash', 'ash', 'dash', '/bin/sh', '/bin/bash', '/bin/ash', '/usr/bin/bash']);

/** Whether `name` asks for a shell (when no such program exists, the lab's shell stands in). */
export function isShellName(name: string | undefined): boolean {
	return name !== undefined && shellNames.has(name);
}
