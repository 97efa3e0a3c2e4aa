// Every command the shell knows, in the order `help` lists them within
// their groups.

import type {Command} from '../command.js';
import {builtinCommands} from './builtins.js';
import {fileCommands} from './files.js';
import {isaCommand} from './isa.js';
import {lessonCommand} from './lesson.js';
import {machineCommands} from './machine.js';
import {namespaceCommands} from './namespaces.js';
import {processCommands} from './processes.js';
import {textCommands} from './text.js';
import {vmCommand} from './vm.js';

export const allCommands: readonly Command[] = [...builtinCommands, lessonCommand, ...fileCommands, ...textCommands, ...processCommands, ...namespaceCommands, ...machineCommands, isaCommand, vmCommand];
