// Every command the shell knows, in the order `help` lists them within
// their groups.

import type {Command} from '../command.js';
import {builtinCommands} from './builtins.js';
import {isaCommand} from './isa.js';
import {machineCommands} from './machine.js';
import {vmCommand} from './vm.js';

export const allCommands: readonly Command[] = [...builtinCommands, ...machineCommands, isaCommand, vmCommand];
