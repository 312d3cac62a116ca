/** `mlops promote <artifact> <stage>`: assign a stage, in promotion order unless forced with a reason. */
import { openLocalRegistry } from '../../lib/git/tags.js';
import { stderrLogger } from '../../lib/log.js';
import { promoteVersion, readMetricsSnapshot, type PromoteResult } from '../../lib/registry/index.js';
import { UserError } from '../../lib/errors.js';
import { parse } from '../args.js';
import type { Command } from '../command.js';

const usage = `usage: mlops promote <artifact> <stage> [--version vX.Y.Z | --ref <commit-ish>] [--force --reason <text>]
                     [--metrics <json|file>] [--image-digest <sha256:...>] [--remote <name>] [--json]

Assigns <stage> to a version with an annotated tag <artifact>#<stage>#<N>, as \`gto assign\` does.
Without --version/--ref the version now in the previous stage is promoted. The version must hold the
stage just before <stage> (mlops.yml \`stages:\` order) unless --force is given with a --reason, which
is recorded in the tag message.`;

export function printAssignment(r: PromoteResult, json: boolean | undefined): void {
  process.stdout.write(
    json
      ? JSON.stringify(r) + '\n'
      : r.created
        ? `Created ${r.tag}: ${r.artifact} ${r.version} is in ${r.stage}${r.previousVersion ? ` (was ${r.previousVersion})` : ''}\n`
        : `Unchanged: ${r.artifact} ${r.version} is already in ${r.stage} (${r.tag})\n`,
  );
}

export const promote: Command = {
  name: 'promote',
  summary: 'assign a stage to a version, enforcing the stage order',
  usage,
  async run(argv) {
    const { values, positionals } = parse(
      argv,
      {
        version: { type: 'string' },
        ref: { type: 'string' },
        force: { type: 'boolean' },
        reason: { type: 'string' },
        metrics: { type: 'string' },
        'image-digest': { type: 'string' },
        remote: { type: 'string' },
        json: { type: 'boolean' },
      },
      usage,
    );
    const [artifact, stage] = positionals;
    if (!artifact || !stage) throw new UserError(`missing <artifact> or <stage>\n${usage}`);
    const reg = await openLocalRegistry(process.cwd(), { remote: values.remote, log: stderrLogger });
    const result = await promoteVersion(reg.backend, {
      artifact,
      stage,
      flow: reg.flow,
      version: values.version,
      ref: values.ref,
      force: values.force,
      reason: values.reason,
      audit: { ...reg.audit, metrics: readMetricsSnapshot(values.metrics, process.cwd(), '--metrics'), imageDigest: values['image-digest'] },
      log: stderrLogger,
    });
    printAssignment(result, values.json);
    return 0;
  },
};
