/** `mlops protect --repo owner/name`: branch rules and approval environments through the GitHub API. */
import { DEFAULT_BRANCHES, DEFAULT_STAGES, loadConfig } from '../../lib/config.js';
import { UserError } from '../../lib/errors.js';
import { createOctokit } from '../../lib/github/octokit.js';
import { applyProtection, DEFAULT_REQUIRED_CHECKS, formatPlan, planProtection, type EnvironmentPlan } from '../../lib/github/protect.js';
import { stderrLogger } from '../../lib/log.js';
import { parse } from '../args.js';
import type { Command } from '../command.js';

const usage = `usage: mlops protect --repo <owner/name> [--branch <b> ...] [--check <context> ...] [--approvals <n>]
                     [--classic] [--environments [--reviewer user:<login>|team:<org>/<slug> ...]] [--dry-run]

Makes the stage branches (mlops.yml branches:, default main, staging, production) take changes only
through pull requests: at least --approvals approvals (default 1), the required checks (default
"${DEFAULT_REQUIRED_CHECKS.join('" and "')}"), no force push, no deletion. A repository ruleset named
"mlops: stage branches" (created, or updated in place), or classic branch protection with --classic.
  --environments   also create the GitHub Environments of the stages after the first (staging,
                   production) with the --reviewer(s) as required reviewers and only the stage's own
                   branch allowed to deploy, so promotions wait for a human approval
  --dry-run        print the requests and change nothing (reads still need the token)
Token: GITHUB_TOKEN or GH_TOKEN with admin rights on the repository.`;

export const protect: Command = {
  name: 'protect',
  summary: 'protect the stage branches and create approval environments through the GitHub API',
  usage,
  async run(argv) {
    const { values } = parse(
      argv,
      {
        repo: { type: 'string' },
        branch: { type: 'string', multiple: true },
        check: { type: 'string', multiple: true },
        approvals: { type: 'string' },
        classic: { type: 'boolean' },
        environments: { type: 'boolean' },
        reviewer: { type: 'string', multiple: true },
        config: { type: 'string' },
        'dry-run': { type: 'boolean' },
      },
      usage,
      false,
    );
    const [owner, repo] = (values.repo ?? '').split('/');
    if (!owner || !repo) throw new UserError(`--repo owner/name is required\n${usage}`);
    const token = process.env.GITHUB_TOKEN || process.env.GH_TOKEN || '';
    if (!token) throw new UserError('GITHUB_TOKEN (or GH_TOKEN) is not set: protection is configured through the GitHub API');

    const cfg = loadConfig(process.cwd(), values.config, { required: values.config !== undefined });
    const branchMap = cfg?.branches ?? DEFAULT_BRANCHES;
    const stages = cfg?.stages ?? [...DEFAULT_STAGES];
    const environments: EnvironmentPlan[] = values.environments
      ? stages.slice(1).map((stage) => ({
          name: stage,
          reviewers: values.reviewer ?? [],
          branch: Object.keys(branchMap).find((b) => branchMap[b] === stage),
        }))
      : [];
    const octokit = createOctokit({ token, logger: stderrLogger });
    const plan = await planProtection(octokit, {
      owner,
      repo,
      branches: values.branch ?? Object.keys(branchMap),
      requiredChecks: values.check ?? DEFAULT_REQUIRED_CHECKS,
      approvals: values.approvals === undefined ? 1 : Number(values.approvals),
      classic: values.classic,
      environments,
    });
    if (values['dry-run']) {
      process.stdout.write(`${formatPlan(plan)}\n`);
    } else {
      await applyProtection(octokit, plan, stderrLogger);
    }
    if (!values.environments) {
      stderrLogger.info(
        `Promotions can wait for a human: mlops protect --repo ${owner}/${repo} --environments --reviewer user:<login> creates the ${stages.slice(1).join(' and ')} environments with required reviewers.`,
      );
    } else if (!values.reviewer?.length) {
      stderrLogger.warning('--environments without --reviewer: the environments restrict the deploying branch but need no approval');
    }
    return 0;
  },
};
