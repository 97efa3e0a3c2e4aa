// Every command the shell knows, in the order `help` lists them within
// their groups.

import type {Command} from '../command.js';
import {builtinCommands} from './builtins.js';
import {copyMoveCommands} from './copy-move.js';
import {dockerCommand} from './docker.js';
import {environmentCommands} from './env.js';
import {fileCommands} from './files.js';
import {ipCommand} from './ip.js';
import {isaCommand} from './isa.js';
import {layersCommand} from './layers.js';
import {lessonCommand} from './lesson.js';
import {lookupCommands} from './lookup.js';
import {ls} from './ls.js';
import {machineCommands} from './machine.js';
import {namespaceCommands} from './namespaces.js';
import {pingCommand} from './ping.js';
import {podCommand} from './pod.js';
import {pivotRootCommand} from './pivot-root.js';
import {processCommands} from './processes.js';
import {textCommands} from './text.js';
import {vmCommand} from './vm.js';

export const allCommands: readonly Command[] = [...builtinCommands, ...environmentCommands, ...lookupCommands, lessonCommand, ls, ...fileCommands, ...copyMoveCommands, ...textCommands, ...processCommands, ...namespaceCommands, ipCommand, pingCommand, dockerCommand, podCommand, pivotRootCommand, layersCommand, ...machineCommands, isaCommand, vmCommand];
