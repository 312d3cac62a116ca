/** `mlops check-pr --from A --into B`: is this pull request part of the branch flow? */
import { loadConfig } from '../../lib/config.js';
import { UserError } from '../../lib/errors.js';
import { checkPullRequest, defaultFlow } from '../../lib/promotion.js';
import { parse } from '../args.js';
import type { Command } from '../command.js';

const usage = `usage: mlops check-pr --from <branch> --into <branch> [--config mlops.yml]

Exits 0 when a pull request from one branch into another follows the flow of mlops.yml
(feature/experiment branches -> the first stage's branch, then each stage branch only from the one before it),
otherwise exits 1 naming the branch it must come from.`;

export const checkPr: Command = {
  name: 'check-pr',
  summary: 'check that a pull request follows the branch flow',
  usage,
  async run(argv) {
    const { values } = parse(argv, { from: { type: 'string' }, into: { type: 'string' }, config: { type: 'string' } }, usage, false);
    if (!values.from || !values.into) throw new UserError(`--from and --into are required\n${usage}`);
    const cfg = loadConfig(process.cwd(), values.config ?? undefined, { required: values.config !== undefined });
    const verdict = checkPullRequest(cfg ?? defaultFlow(), values.from, values.into);
    if (!verdict.allowed) throw new UserError(verdict.reason);
    process.stdout.write(`ok: ${verdict.reason}\n`);
    return 0;
  },
};
