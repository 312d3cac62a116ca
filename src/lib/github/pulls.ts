/**
 * Open-or-update a pull request from a head branch: one PR per head/base pair, ever. Bump PRs and
 * promotion PRs both go through here, so re-runs and concurrent runs update the PR in place.
 */
import type { Octokit } from './octokit.js';
import { apiError, httpStatus } from './errors.js';

export interface PullRef {
  number: number;
  url: string;
  created: boolean;
}

export interface OpenOrUpdateOptions {
  owner: string;
  repo: string;
  /** Branch name in `repo` (same-repository PRs). */
  head: string;
  base: string;
  title: string;
  body: string;
  draft?: boolean;
}

/** The open PR from `head` into `base`, searched over every page. */
export async function findOpenPull(octokit: Octokit, o: { owner: string; repo: string; head: string; base: string }): Promise<PullRef | undefined> {
  try {
    const pulls = await octokit.paginate(octokit.rest.pulls.list, {
      owner: o.owner,
      repo: o.repo,
      state: 'open',
      head: `${o.owner}:${o.head}`,
      base: o.base,
      per_page: 100,
    });
    // The head filter is applied server-side; check again so a filter-less server cannot fool us.
    const pr = pulls.find((p) => p.head.ref === o.head && p.base.ref === o.base && p.state === 'open');
    return pr ? { number: pr.number, url: pr.html_url, created: false } : undefined;
  } catch (e) {
    throw apiError(e, `list pull requests of ${o.owner}/${o.repo}`, { permission: 'pull-requests: read' });
  }
}

export async function openOrUpdatePull(octokit: Octokit, o: OpenOrUpdateOptions): Promise<PullRef> {
  const update = async (pr: PullRef): Promise<PullRef> => {
    try {
      await octokit.rest.pulls.update({ owner: o.owner, repo: o.repo, pull_number: pr.number, title: o.title, body: o.body });
    } catch (e) {
      throw apiError(e, `update pull request #${pr.number} of ${o.owner}/${o.repo}`, { permission: 'pull-requests: write' });
    }
    return pr;
  };
  const existing = await findOpenPull(octokit, o);
  if (existing) return update(existing);
  try {
    const res = await octokit.rest.pulls.create({ owner: o.owner, repo: o.repo, head: o.head, base: o.base, title: o.title, body: o.body, draft: o.draft });
    return { number: res.data.number, url: res.data.html_url, created: true };
  } catch (e) {
    // 422 "A pull request already exists": a concurrent run opened it between our list and create.
    if (httpStatus(e) === 422) {
      const raced = await findOpenPull(octokit, o);
      if (raced) return update(raced);
    }
    throw apiError(e, `open a pull request ${o.head} -> ${o.base} in ${o.owner}/${o.repo}`, { permission: 'pull-requests: write' });
  }
}
