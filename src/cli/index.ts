/**
 * `mlops`: the toolkit's command line over the same src/lib the actions use, with the local git
 * backend. Each subcommand is one file in ./commands; this file only dispatches.
 */
import { isUserError, messageOf } from '../lib/errors.js';
import { redactSecrets } from '../lib/log.js';
import type { Command } from './command.js';
import { commands } from './commands/index.js';

async function help(): Promise<string> {
  const loaded = await Promise.all(commands.map((c) => c.load()));
  const width = Math.max(...loaded.map((c) => c.name.length));
  return [
    'usage: mlops <command> [options]',
    '',
    ...loaded.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'mlops <command> --help shows the options of one command.',
  ].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write((await help()) + '\n');
    return name ? 0 : 2;
  }
  const entry = commands.find((c) => c.name === name);
  if (!entry) {
    process.stderr.write(`mlops: unknown command "${name}"\n\n${await help()}\n`);
    return 2;
  }
  const wantsUsage = rest.includes('--help') || rest.includes('-h');
  if (!wantsUsage) await entry.prepare?.();
  const cmd: Command = await entry.load();
  if (wantsUsage) {
    process.stdout.write(cmd.usage + '\n');
    return 0;
  }
  return cmd.run(rest);
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (e) {
  if (isUserError(e)) {
    process.stderr.write(`mlops: ${redactSecrets(e.describe())}\n`);
  } else {
    if (process.env.MLOPS_DEBUG && e instanceof Error) process.stderr.write(`${redactSecrets(e.stack ?? '')}\n`);
    process.stderr.write(`mlops: unexpected error: ${redactSecrets(messageOf(e))}\n`);
  }
  process.exitCode = 1;
}
