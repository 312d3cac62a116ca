/** `mlops rollback <artifact> <stage>`: re-assign the version that held the stage before the current one. */
import { openLocalRegistry } from '../../lib/git/tags.js';
import { stderrLogger } from '../../lib/log.js';
import { promoteVersion } from '../../lib/registry/index.js';
import { UserError } from '../../lib/errors.js';
import { parse } from '../args.js';
import type { Command } from '../command.js';
import { printAssignment } from './promote.js';

const usage = `usage: mlops rollback <artifact> <stage> [--reason <text>] [--remote <name>] [--json]

Assigns <stage> again to the version that held it before the current one (a new tag; history is
append-only, nothing is deleted).`;

export const rollback: Command = {
  name: 'rollback',
  summary: 'give a stage back to the version that held it before',
  usage,
  async run(argv) {
    const { values, positionals } = parse(argv, { reason: { type: 'string' }, remote: { type: 'string' }, json: { type: 'boolean' } }, usage);
    const [artifact, stage] = positionals;
    if (!artifact || !stage) throw new UserError(`missing <artifact> or <stage>\n${usage}`);
    const reg = await openLocalRegistry(process.cwd(), { remote: values.remote, log: stderrLogger });
    const result = await promoteVersion(reg.backend, {
      artifact,
      stage,
      flow: reg.flow,
      rollback: true,
      reason: values.reason,
      audit: reg.audit,
      log: stderrLogger,
    });
    printAssignment(result, values.json);
    return 0;
  },
};
