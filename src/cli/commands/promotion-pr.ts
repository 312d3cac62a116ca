/**
 * `mlops promotion-pr --into <branch>`: open, update or close the one promotion PR into a stage branch,
 * over the GitHub API (token from GITHUB_TOKEN / GH_TOKEN, repository from GITHUB_REPOSITORY or --repo).
 * Metrics and plots are read from the checkout in the current folder.
 */
import { loadConfig } from '../../lib/config.js';
import { UserError } from '../../lib/errors.js';
import { runUrl } from '../../lib/github/context.js';
import { createOctokit } from '../../lib/github/octokit.js';
import { stderrLogger } from '../../lib/log.js';
import { syncPromotionPr } from '../../lib/promotion-pr.js';
import { parse } from '../args.js';
import type { Command } from '../command.js';

const usage = `usage: mlops promotion-pr --into <branch> [--repo owner/name] [--config mlops.yml] [--no-plots] [--dry-run] [--json]

After a version lands in a stage, open or update the pull request that promotes it into the next
stage's branch (title "Promote <artifact> <version> to <stage>", label promotion), or close it with a
comment when it was rolled back, superseded, or the branches have no difference.
Needs GITHUB_TOKEN (pull-requests: write, issues: write, contents: read). --dry-run changes nothing and
prints the PR it would write.`;

export const promotionPr: Command = {
  name: 'promotion-pr',
  summary: 'open, update or close the promotion pull request into a stage branch',
  usage,
  async run(argv) {
    const { values } = parse(
      argv,
      {
        into: { type: 'string' },
        repo: { type: 'string' },
        config: { type: 'string' },
        'no-plots': { type: 'boolean' },
        'dry-run': { type: 'boolean' },
        json: { type: 'boolean' },
      },
      usage,
      false,
    );
    if (!values.into) throw new UserError(`--into is required\n${usage}`);
    const full = values.repo ?? process.env.GITHUB_REPOSITORY ?? '';
    const [owner, repo] = full.split('/');
    if (!owner || !repo) throw new UserError('which repository? pass --repo owner/name or set GITHUB_REPOSITORY');
    const token = process.env.GITHUB_TOKEN || process.env.GH_TOKEN || '';
    if (!token) throw new UserError('GITHUB_TOKEN (or GH_TOKEN) is not set: the promotion PR is written through the GitHub API');
    const config = loadConfig(process.cwd(), values.config, { required: true })!;
    const octokit = createOctokit({ token, logger: stderrLogger });
    const result = await syncPromotionPr({
      octokit,
      owner,
      repo,
      config,
      into: values.into,
      cwd: process.cwd(),
      serverUrl: process.env.GITHUB_SERVER_URL,
      runUrl: runUrl(),
      plots: !values['no-plots'],
      dryRun: values['dry-run'],
      logger: stderrLogger,
    });
    if (values.json) {
      const { body: _body, ...rest } = result;
      process.stdout.write(`${JSON.stringify(values['dry-run'] ? result : rest)}\n`);
    } else {
      process.stdout.write(`${result.action}${result.number ? ` #${result.number}` : ''}: ${result.reason}${result.url ? `\n${result.url}` : ''}\n`);
      if (values['dry-run'] && result.body) process.stdout.write(`\n${result.title}\n\n${result.body}`);
    }
    return 0;
  },
};
