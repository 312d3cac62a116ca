/**
 * What an image says about where it came from: default tags (sha-<7>, the full sha, the version) and
 * the OCI standard labels, filled from the repository and the commit. `created` is the commit time,
 * never "now", so that rebuilding the same commit yields the same config and the same digest.
 */
import { readFileSync } from 'node:fs';
import { UserError } from '../errors.js';
import { git } from '../git/cli.js';
import { isValidTag } from './reference.js';

export interface SourceInfo {
  /** owner/name on the forge, when known. */
  repository?: string;
  /** Web URL of the repository (org.opencontainers.image.url / source). */
  url?: string;
  /** Commit the image is built from (on a pull request: the PR head, not the merge commit). */
  revision?: string;
  /** RFC 3339 UTC time of that commit. */
  created?: string;
  description?: string;
  /** SPDX expression. */
  licenses?: string;
}

export const LABEL_PREFIX = 'org.opencontainers.image.';

/** `sha-<7>`, the full sha, and the version when given; deduplicated, each a valid tag. */
export function defaultTags(revision: string | undefined, version?: string): string[] {
  const tags: string[] = [];
  if (revision) tags.push(`sha-${revision.slice(0, 7)}`, revision);
  if (version) tags.push(version);
  return [...new Set(tags)];
}

export function checkTags(tags: string[], field = 'tags'): string[] {
  for (const t of tags) {
    if (!isValidTag(t)) throw new UserError(`tag "${t}" is not a valid image tag: use [A-Za-z0-9_][A-Za-z0-9._-], at most 128 characters`, { field });
  }
  return [...new Set(tags)];
}

/** The eight org.opencontainers.image.* labels we own (empty values left out). */
export function ociLabels(src: SourceInfo, opts: { title?: string; version?: string }): Record<string, string> {
  const l: Record<string, string> = {
    title: opts.title ?? src.repository?.split('/').pop() ?? '',
    description: src.description ?? '',
    url: src.url ?? '',
    source: src.url ?? '',
    version: opts.version ?? (src.revision ? `sha-${src.revision.slice(0, 7)}` : ''),
    created: src.created ?? '',
    revision: src.revision ?? '',
    licenses: src.licenses ?? '',
  };
  return Object.fromEntries(Object.entries(l).filter(([, v]) => v).map(([k, v]) => [`${LABEL_PREFIX}${k}`, v]));
}

/** `key=value` lines; later ones win. */
export function parseKeyValues(list: string[], field: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of list) {
    const i = item.indexOf('=');
    if (i <= 0) throw new UserError(`"${item}" must be key=value`, { field });
    out[item.slice(0, i).trim()] = item.slice(i + 1);
  }
  return out;
}

/** RFC 3339 in UTC without fractions, as image tools write it. */
export function rfc3339(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Committer time of `rev` in the git repository at `cwd`, or undefined when git cannot tell. */
export async function commitTime(cwd: string, rev: string): Promise<string | undefined> {
  const r = await git(['show', '-s', '--format=%cI', rev], { cwd, allowFail: true }).catch(() => undefined);
  const text = r && r.code === 0 ? r.stdout.trim() : '';
  return text ? rfc3339(new Date(text)) : undefined;
}

/** Source info for a local checkout (the CLI): HEAD's sha and time; the origin URL when it is a web forge. */
export async function localSource(cwd: string): Promise<SourceInfo> {
  const head = await git(['rev-parse', 'HEAD'], { cwd, allowFail: true }).catch(() => undefined);
  if (!head || head.code !== 0) return {};
  const revision = head.stdout.trim();
  const origin = await git(['remote', 'get-url', 'origin'], { cwd, allowFail: true }).catch(() => undefined);
  const url = origin?.code === 0 ? webUrl(origin.stdout.trim()) : undefined;
  const repository = url ? new URL(url).pathname.replace(/^\/|\.git$/g, '') : undefined;
  return { revision, created: await commitTime(cwd, revision), url, repository };
}

/** `git@github.com:o/r.git` or `https://github.com/o/r.git` -> `https://github.com/o/r`. */
function webUrl(remote: string): string | undefined {
  const ssh = /^git@([^:]+):(.+?)(?:\.git)?$/.exec(remote);
  if (ssh) return `https://${ssh[1]}/${ssh[2]}`;
  if (/^https?:\/\//.test(remote)) {
    const u = new URL(remote);
    u.username = '';
    u.password = '';
    return u.toString().replace(/\.git$/, '').replace(/\/$/, '');
  }
  return undefined;
}

interface EventPayload {
  pull_request?: { head?: { sha?: string } };
  head_commit?: { id?: string; timestamp?: string };
  repository?: { description?: string | null; html_url?: string; license?: { spdx_id?: string } | null };
}

/**
 * Source info inside a workflow run, from the runner's environment and event payload: on a pull
 * request the revision is the PR head sha; the time is that commit's when it is checked out, else the
 * push payload's, else (a PR's merge checkout) the checked-out commit's.
 */
export async function githubSource(env: NodeJS.ProcessEnv, cwd: string): Promise<SourceInfo> {
  let payload: EventPayload = {};
  if (env.GITHUB_EVENT_PATH) {
    try {
      payload = JSON.parse(readFileSync(env.GITHUB_EVENT_PATH, 'utf8')) as EventPayload;
    } catch {
      // no payload: fall back to the plain variables
    }
  }
  const repository = env.GITHUB_REPOSITORY;
  const revision = payload.pull_request?.head?.sha ?? env.GITHUB_SHA;
  const url = payload.repository?.html_url ?? (repository ? `${(env.GITHUB_SERVER_URL ?? 'https://github.com').replace(/\/$/, '')}/${repository}` : undefined);
  let created = revision ? await commitTime(cwd, revision) : undefined;
  if (!created && payload.head_commit?.timestamp && (!revision || payload.head_commit.id === revision)) {
    created = rfc3339(new Date(payload.head_commit.timestamp));
  }
  // A PR checkout holds the merge commit, not the head: its time is still fixed for re-runs of this run.
  if (!created && env.GITHUB_SHA && env.GITHUB_SHA !== revision) created = await commitTime(cwd, env.GITHUB_SHA);
  const spdx = payload.repository?.license?.spdx_id;
  return {
    repository,
    url,
    revision,
    created,
    description: payload.repository?.description ?? undefined,
    licenses: spdx && spdx !== 'NOASSERTION' ? spdx : undefined,
  };
}
