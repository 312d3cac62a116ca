/** Every `mlops` subcommand, in help order. Add one import and one entry per command. */
import type { Command } from '../command.js';

export const commands: Command[] = [];
