/**
 * cml-report: the PR's metric report (gate verdict, metric diffs vs the target branch and the serving
 * model, params diff, plots) as ONE sticky comment per report id, plus the job summary and a
 * markdown + HTML copy on disk.
 */
import { join, resolve } from 'node:path';
import { actionLogger, boolInput, input, listInput, log, output, runAction, secretInput, summary } from '../lib/actions-io.js';
import { UserError } from '../lib/errors.js';
import { resolveRunContext } from '../lib/github/context.js';
import { createOctokit } from '../lib/github/octokit.js';
import { snapshotErrors } from '../lib/metrics/index.js';
import { GitHubTagBackend } from '../lib/registry/index.js';
import { summaryMarkdown } from '../lib/report/index.js';
import { publishReport } from '../lib/report/publish.js';

await runAction(async () => {
  const token = secretInput('github-token');
  const workspace = process.env.GITHUB_WORKSPACE ?? process.cwd();
  const workdir = input('working-directory') || '.';
  const comment = boolInput('comment', true);
  const logger = actionLogger;
  const octokit = token ? createOctokit({ token, logger }) : undefined;
  if (comment && !octokit) throw new UserError('github-token is empty: it is needed to comment on the pull request (or set comment: false)', { field: 'github-token' });
  const ctx = await resolveRunContext(octokit, { logger });

  const result = await publishReport({
    octokit,
    ctx,
    cwd: join(workspace, workdir),
    configPath: input('config-path'),
    rules: input('rules'),
    metrics: listInput('metrics'),
    params: listInput('params'),
    baselineRef: input('baseline-ref') || ctx.baseRef || process.env.GITHUB_BASE_REF || undefined,
    servingRef: input('serving-ref') || undefined,
    servingLabel: input('serving-label') || undefined,
    servingStage: input('serving-stage') || 'auto',
    registry: octokit ? new GitHubTagBackend(octokit, { owner: ctx.owner, repo: ctx.repo, log: logger }) : undefined,
    reportId: input('report-id') || 'metrics',
    title: input('title') || 'Metrics report',
    overrideLabel: input('override-label'),
    reportPath: resolve(workspace, input('report-path') || 'mlops-report/report.md'),
    comment,
    plots: boolInput('plots', true),
    imageHost: input('image-host') || 'branch',
    logger,
  });

  for (const err of snapshotErrors(result.head)) {
    log.warning(err.message, { file: err.file && (workdir === '.' ? err.file : join(workdir, err.file)), line: err.line });
  }
  await summary(summaryMarkdown(result.markdown));
  output('report-path', result.reportPath);
  output('comment-url', result.commentUrl ?? '');
  if (result.commentError) throw result.commentError;
});
