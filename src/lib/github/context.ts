/**
 * Which pull request (if any) and which commit a run is about, for every event that can carry one:
 * pull_request / pull_request_target (the payload), workflow_run (the run's pull_requests, else a
 * lookup by head sha or head branch — fork PRs come with an empty list), push (commits/{sha}/pulls)
 * and merge_group (the queue branch names the PR).
 *
 * Statuses go on the PR head sha. On pull_request events GITHUB_SHA is the synthetic merge commit,
 * which no reviewer sees and branch protection does not look at.
 */
import { readFileSync } from 'node:fs';
import { UserError } from '../errors.js';
import type { Logger } from '../log.js';
import { httpStatus } from './errors.js';
import type { Octokit } from './octokit.js';

export interface RunContext {
  owner: string;
  repo: string;
  eventName: string;
  /** The commit results are about: the PR head, the pushed commit, the merge-group head. */
  sha: string;
  /** The PR number when the run belongs to one. */
  prNumber?: number;
  /** Target branch of the PR (or the merge queue's base), without refs/heads/. */
  baseRef?: string;
  baseSha?: string;
  headRef?: string;
  /** PR from another repository: the token is read-only there. */
  fromFork: boolean;
  /** Link to this workflow run. */
  runUrl?: string;
  /** Labels on the PR as the payload saw them (may be stale; the gate re-reads them). */
  labels: string[];
}

type Env = Record<string, string | undefined>;

interface PullLike {
  number: number;
  state?: string;
  head: { sha: string; ref?: string; repo?: { full_name?: string } | null };
  base: { ref: string; sha?: string; repo?: { full_name?: string } | null };
  labels?: { name?: string }[];
}

export function runUrl(env: Env = process.env): string | undefined {
  const { GITHUB_SERVER_URL: server = 'https://github.com', GITHUB_REPOSITORY: repo, GITHUB_RUN_ID: id, GITHUB_RUN_ATTEMPT: attempt } = env;
  if (!repo || !id) return undefined;
  return `${server.replace(/\/$/, '')}/${repo}/actions/runs/${id}${attempt && attempt !== '1' ? `/attempts/${attempt}` : ''}`;
}

export function repoFromEnv(env: Env = process.env): { owner: string; repo: string } {
  const full = env.GITHUB_REPOSITORY ?? '';
  const [owner, repo] = full.split('/');
  if (!owner || !repo) throw new UserError('GITHUB_REPOSITORY is not set (expected owner/name): run inside GitHub Actions or pass --repo');
  return { owner, repo };
}

function readPayload(env: Env): Record<string, unknown> {
  const path = env.GITHUB_EVENT_PATH;
  if (!path) return {};
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch {
    return {};
  }
}

function fromPull(base: Omit<RunContext, 'sha' | 'fromFork' | 'labels'>, pr: PullLike, fullName: string): RunContext {
  return {
    ...base,
    sha: pr.head.sha,
    prNumber: pr.number,
    baseRef: pr.base.ref,
    baseSha: pr.base.sha,
    headRef: pr.head.ref,
    fromFork: Boolean(pr.head.repo?.full_name && pr.head.repo.full_name !== (pr.base.repo?.full_name ?? fullName)),
    labels: (pr.labels ?? []).map((l) => l.name ?? '').filter(Boolean),
  };
}

export interface ResolveOptions {
  env?: Env;
  /** Explicit PR number (input), e.g. from a workflow_run companion that downloaded it. */
  prNumber?: number;
  /** Explicit commit (input) to put statuses on. */
  sha?: string;
  logger?: Logger;
}

/** Resolve the run context; the octokit is only used when the payload does not say (push, fork workflow_run). */
export async function resolveRunContext(octokit: Octokit | undefined, opts: ResolveOptions = {}): Promise<RunContext> {
  const env = opts.env ?? process.env;
  const { owner, repo } = repoFromEnv(env);
  const full = `${owner}/${repo}`;
  const eventName = env.GITHUB_EVENT_NAME ?? '';
  const payload = readPayload(env);
  const base = { owner, repo, eventName, runUrl: runUrl(env) };
  const log = opts.logger;

  const withOverrides = async (ctx: RunContext): Promise<RunContext> => {
    if (opts.prNumber && opts.prNumber !== ctx.prNumber) {
      if (!octokit) return { ...ctx, prNumber: opts.prNumber, sha: opts.sha ?? ctx.sha };
      const pr = (await octokit.rest.pulls.get({ owner, repo, pull_number: opts.prNumber })).data as PullLike;
      return { ...fromPull(base, pr, full), sha: opts.sha ?? pr.head.sha };
    }
    return opts.sha ? { ...ctx, sha: opts.sha } : ctx;
  };

  const plain: RunContext = { ...base, sha: env.GITHUB_SHA ?? '', fromFork: false, labels: [] };

  if (eventName === 'pull_request' || eventName === 'pull_request_target' || eventName === 'pull_request_review') {
    const pr = payload.pull_request as PullLike | undefined;
    if (pr) return withOverrides(fromPull(base, pr, full));
  }

  if (eventName === 'workflow_run') {
    const run = (payload.workflow_run ?? {}) as {
      head_sha?: string;
      head_branch?: string;
      head_repository?: { full_name?: string; owner?: { login?: string } };
      pull_requests?: PullLike[];
    };
    const headSha = run.head_sha ?? plain.sha;
    const listed = (run.pull_requests ?? []).find((p) => p.head.sha === headSha) ?? run.pull_requests?.[0];
    const fork = Boolean(run.head_repository?.full_name && run.head_repository.full_name !== full);
    if (listed) {
      // The list entries carry no labels and a stale state; the number and the head are what we need.
      return withOverrides({ ...plain, sha: headSha, prNumber: listed.number, baseRef: listed.base.ref, headRef: listed.head.ref, fromFork: fork });
    }
    if (octokit && !opts.prNumber) {
      const pr = (await pullsForCommit(octokit, owner, repo, headSha)).find((p) => p.head.sha === headSha) ??
        (run.head_branch && run.head_repository?.owner?.login
          ? (await octokit.paginate(octokit.rest.pulls.list, { owner, repo, state: 'open', head: `${run.head_repository.owner.login}:${run.head_branch}`, per_page: 100 }))
              .map((p) => p as PullLike)
              .find((p) => p.head.sha === headSha)
          : undefined);
      if (pr) return withOverrides({ ...fromPull(base, pr, full), sha: headSha });
      log?.info(`workflow_run for ${headSha.slice(0, 7)}: no open pull request found`);
    }
    return withOverrides({ ...plain, sha: headSha, fromFork: fork });
  }

  if (eventName === 'merge_group') {
    const mg = (payload.merge_group ?? {}) as { head_sha?: string; head_ref?: string; base_ref?: string; base_sha?: string };
    // Queue branches look like refs/heads/gh-readonly-queue/<base>/pr-<number>-<sha>.
    const m = /\/pr-(\d+)-[0-9a-f]+$/.exec(mg.head_ref ?? '');
    return withOverrides({
      ...plain,
      sha: mg.head_sha ?? plain.sha,
      prNumber: m ? Number(m[1]) : undefined,
      baseRef: mg.base_ref?.replace(/^refs\/heads\//, ''),
      baseSha: mg.base_sha,
      headRef: mg.head_ref?.replace(/^refs\/heads\//, ''),
    });
  }

  if (eventName === 'push' && octokit && !opts.prNumber) {
    const sha = (payload.after as string | undefined) ?? plain.sha;
    const pulls = (await pullsForCommit(octokit, owner, repo, sha)).filter((p) => p.state === 'open');
    const pr = pulls.find((p) => p.head.sha === sha) ?? pulls[0];
    if (pr) return withOverrides({ ...fromPull(base, pr, full), sha });
    return withOverrides({ ...plain, sha });
  }

  return withOverrides(plain);
}

async function pullsForCommit(octokit: Octokit, owner: string, repo: string, sha: string): Promise<PullLike[]> {
  if (!sha) return [];
  try {
    const list = await octokit.paginate(octokit.rest.repos.listPullRequestsAssociatedWithCommit, { owner, repo, commit_sha: sha, per_page: 100 });
    return list as unknown as PullLike[];
  } catch (e) {
    // 422/404 for a commit the API does not know (e.g. only in a fork): treat as "no PR".
    if ([404, 422].includes(httpStatus(e) ?? 0)) return [];
    throw e;
  }
}
