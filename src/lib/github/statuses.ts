/**
 * Commit statuses (what branch protection requires by context name, e.g. `metric-gate`) and check
 * runs (richer output, needs `checks: write` and a GitHub App token such as GITHUB_TOKEN).
 */
import type { Logger } from '../log.js';
import { apiError } from './errors.js';
import type { Octokit } from './octokit.js';

export type StatusState = 'success' | 'failure' | 'error' | 'pending';

/** GitHub rejects status descriptions longer than this. */
export const MAX_STATUS_DESCRIPTION = 140;

export function clip(text: string, max: number): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length <= max ? one : `${one.slice(0, max - 1)}…`;
}

export interface CommitStatus {
  owner: string;
  repo: string;
  sha: string;
  state: StatusState;
  context: string;
  description: string;
  targetUrl?: string;
}

export async function setCommitStatus(octokit: Octokit, s: CommitStatus, logger?: Logger): Promise<void> {
  try {
    await octokit.rest.repos.createCommitStatus({
      owner: s.owner,
      repo: s.repo,
      sha: s.sha,
      state: s.state,
      context: s.context,
      description: clip(s.description, MAX_STATUS_DESCRIPTION),
      ...(s.targetUrl ? { target_url: s.targetUrl } : {}),
    });
  } catch (e) {
    throw apiError(e, `set commit status "${s.context}" on ${s.sha.slice(0, 7)}`, { permission: 'statuses: write' });
  }
  logger?.info(`Status ${s.context} = ${s.state} on ${s.sha.slice(0, 7)}: ${clip(s.description, MAX_STATUS_DESCRIPTION)}`);
}

/** GitHub caps check run output text/summary at 65,535 characters. */
const MAX_CHECK_TEXT = 65_535;

export interface CheckRunResult {
  owner: string;
  repo: string;
  sha: string;
  name: string;
  conclusion: 'success' | 'failure' | 'neutral' | 'cancelled' | 'skipped' | 'timed_out' | 'action_required';
  title: string;
  summary: string;
  text?: string;
  detailsUrl?: string;
}

/** Create a completed check run in one call; returns its html_url. */
export async function completeCheckRun(octokit: Octokit, c: CheckRunResult): Promise<string | undefined> {
  try {
    const res = await octokit.rest.checks.create({
      owner: c.owner,
      repo: c.repo,
      head_sha: c.sha,
      name: c.name,
      status: 'completed',
      conclusion: c.conclusion,
      ...(c.detailsUrl ? { details_url: c.detailsUrl } : {}),
      output: {
        title: clip(c.title, 255),
        summary: c.summary.slice(0, MAX_CHECK_TEXT),
        ...(c.text ? { text: c.text.slice(0, MAX_CHECK_TEXT) } : {}),
      },
    });
    return res.data.html_url ?? undefined;
  } catch (e) {
    throw apiError(e, `create check run "${c.name}" on ${c.sha.slice(0, 7)}`, { permission: 'checks: write' });
  }
}
