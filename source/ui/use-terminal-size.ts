// The terminal's size, kept current: Ink 6.8 has no useWindowSize, so we
// listen to the stdout stream's own 'resize' event (a real TTY, or an SSH
// channel's stream that emits it on window-change).

import {useStdout} from 'ink';
import {useEffect, useState} from 'react';

export type TerminalSize = {columns: number; rows: number};

/** Size of a stream; streams without one (pipes, test doubles) count as 80x24. */
export function sizeOf(stream: {columns?: number; rows?: number}): TerminalSize {
	return {columns: stream.columns || 80, rows: stream.rows || 24};
}

export function useTerminalSize(): TerminalSize {
	const {stdout} = useStdout();
	const [size, setSize] = useState(() => sizeOf(stdout));
	useEffect(() => {
		const update = () => {
			setSize(previous => {
				const next = sizeOf(stdout);
				return next.columns === previous.columns && next.rows === previous.rows ? previous : next;
			});
		};

		stdout.on('resize', update);
		update();
		return () => {
			stdout.off('resize', update);
		};
	}, [stdout]);
	return size;
}
