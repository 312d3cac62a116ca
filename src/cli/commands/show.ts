/** `mlops show`: artifacts, their versions and the version in each stage (same JSON shape as documented). */
import { openLocalRegistry } from '../../lib/git/tags.js';
import { stderrLogger } from '../../lib/log.js';
import { readState, showJson } from '../../lib/registry/index.js';
import { parse } from '../args.js';
import type { Command } from '../command.js';

const usage = `usage: mlops show [artifact] [--json] [--deprecated] [--remote <name>]

Shows every artifact of the git-tag registry (GTO format) in the current repository: registered
versions, the latest one, and the version in each stage (the latest assignment still in force).
  --json         {"artifacts": {"<name>": {"versions": [...], "latest": "v…", "stages": {"<stage>": "v…"}}}}
  --deprecated   include deprecated artifacts
  --remote R     fetch tags from remote R first`;

export const show: Command = {
  name: 'show',
  summary: 'show artifacts, versions and stages of the model registry',
  usage,
  async run(argv) {
    const { values, positionals } = parse(
      argv,
      { json: { type: 'boolean' }, deprecated: { type: 'boolean' }, remote: { type: 'string' } },
      usage,
    );
    const reg = await openLocalRegistry(process.cwd(), { remote: values.remote, log: stderrLogger });
    const artifact = positionals[0];
    const state = await readState(reg.backend, artifact, stderrLogger);
    const doc = showJson(state, { deprecated: values.deprecated || artifact !== undefined, artifact });
    if (values.json) {
      process.stdout.write(JSON.stringify(doc, null, 2) + '\n');
      return 0;
    }
    const names = Object.keys(doc.artifacts);
    if (names.length === 0) {
      process.stdout.write('no artifacts registered\n');
      return 0;
    }
    const stages = [...new Set([...reg.flow.stages, ...names.flatMap((n) => Object.keys(doc.artifacts[n]!.stages))])];
    const rows = [['artifact', 'latest', ...stages], ...names.map((n) => {
      const a = doc.artifacts[n]!;
      return [n, a.latest ?? '-', ...stages.map((s) => a.stages[s] ?? '-')];
    })];
    process.stdout.write(table(rows));
    return 0;
  },
};

/** Plain aligned columns for the terminal. */
export function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n') + '\n';
}
