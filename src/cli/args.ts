/** Argument parsing shared by every subcommand (node:util parseArgs with our error style). */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UserError, messageOf } from '../lib/errors.js';

export function parse<T extends NonNullable<ParseArgsConfig['options']>>(
  argv: string[],
  options: T,
  usage: string,
  allowPositionals = true,
) {
  try {
    return parseArgs({ args: argv, options, allowPositionals, strict: true });
  } catch (e) {
    throw new UserError(`${messageOf(e)}\n${usage}`);
  }
}
