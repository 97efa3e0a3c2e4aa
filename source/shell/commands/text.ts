// The text tools learners pipe into, for `mount | grep proc`, `dmesg |
// tail -3`, `ps aux | wc -l`: grep (grep.ts), head (head.ts), tail
// (tail.ts) and wc (wc.ts). Each reads piped input piece by piece as it
// comes (read-stream.ts) and its files through the kernel's VFS.

import type {Command} from '../command.js';
import {grep} from './grep.js';
import {head} from './head.js';
import {tail} from './tail.js';
import {wc} from './wc.js';

export const textCommands: readonly Command[] = [grep, head, tail, wc];
