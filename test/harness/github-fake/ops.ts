/** State changes shared by the HTTP handlers and the seeding helpers on the fake. */
import { ZERO_SHA, type Identity } from './git.js';
import { HttpError, validationFailed } from './http.js';
import { newId, now, type EventRec, type IssueRec, type RepoRec, type User } from './state.js';

export type FileMap = Record<string, string | Buffer | null>;

/** Anything that can look up other fake repos (cross-repo PR heads). */
export interface RepoLookup {
  repos: Map<string, RepoRec>;
}

export function identityOf(user: User, date = now()): Identity {
  return user.type === 'Bot'
    ? { name: user.login, email: `${user.id}+${user.login}@users.noreply.github.com`, date }
    : { name: user.login, email: `${user.login}@users.noreply.github.com`, date };
}

/** Commit files on a branch (created from `from`, else the default branch, else as a root commit). */
export async function commitFiles(repo: RepoRec, branch: string, files: FileMap, message: string, from?: string): Promise<string> {
  const git = repo.git;
  const ref = `refs/heads/${branch}`;
  const head = await git.resolve(ref);
  const parent = head ?? (from ? await git.resolve(from) : await git.resolve(`refs/heads/${repo.defaultBranch}`));
  if (from && !parent) throw new Error(`commit: ${from} does not resolve in ${repo.fullName}`);
  const baseTree = parent ? await git.resolve(parent, 'tree') : undefined;
  const changes = [];
  for (const [path, content] of Object.entries(files)) {
    if (content === null) changes.push({ path, mode: '100644', type: 'blob', sha: null });
    else changes.push({ path, mode: '100644', type: 'blob', sha: await git.writeBlob(Buffer.isBuffer(content) ? content : Buffer.from(content)) });
  }
  const tree = await git.buildTree(baseTree, changes);
  const who = { name: 'Test Author', email: 'author@example.com', date: now() };
  const sha = await git.commitTree(tree, parent ? [parent] : [], message, who, who);
  if (!(await git.updateRef(ref, sha, head ?? ZERO_SHA))) throw new Error(`commit: ${ref} moved while seeding ${repo.fullName}`);
  return sha;
}

export function labelIssue(repo: RepoRec, number: number, labels: string[], actor: User): void {
  const issue = repo.issues.get(number);
  if (!issue) throw new HttpError(404, 'Not Found');
  for (const name of labels) {
    if (!repo.labels.has(name.toLowerCase())) repo.labels.set(name.toLowerCase(), { id: newId(), name, color: 'ededed', description: null });
    if (issue.labels.some((l) => l.toLowerCase() === name.toLowerCase())) continue;
    issue.labels.push(repo.labels.get(name.toLowerCase())!.name);
    addEvent(repo, number, { event: 'labeled', actor, label: { name, color: 'ededed' } });
  }
  issue.updated_at = now();
}

export function addEvent(repo: RepoRec, number: number, e: Omit<EventRec, 'id' | 'created_at'>): void {
  const list = repo.events.get(number) ?? [];
  list.push({ id: newId(), created_at: now(), ...e });
  repo.events.set(number, list);
}

/** Where a PR's head lives: `branch` or `owner:branch` (a fork with the same repo name). */
function headLocation(lookup: RepoLookup, repo: RepoRec, head: string): { headRepo: RepoRec; headRef: string } {
  const colon = head.indexOf(':');
  if (colon < 0) return { headRepo: repo, headRef: head };
  const owner = head.slice(0, colon);
  const headRef = head.slice(colon + 1);
  if (owner.toLowerCase() === repo.owner.toLowerCase()) return { headRepo: repo, headRef };
  const fork = lookup.repos.get(`${owner}/${repo.name}`.toLowerCase());
  if (!fork) throw validationFailed('PullRequest', 'head', 'invalid');
  return { headRepo: fork, headRef };
}

/** Bring a fork's head commit into the base repository as refs/pull/N/head, as GitHub does. */
export async function syncPullHead(repo: RepoRec, headRepo: RepoRec, headRef: string, number: number): Promise<string | undefined> {
  if (headRepo === repo) {
    const sha = await repo.git.resolve(`refs/heads/${headRef}`);
    if (sha) await repo.git.updateRef(`refs/pull/${number}/head`, sha);
    return sha;
  }
  const sha = await headRepo.git.resolve(`refs/heads/${headRef}`);
  if (!sha) return undefined;
  await repo.git.run(['fetch', '--quiet', headRepo.git.dir, `+refs/heads/${headRef}:refs/pull/${number}/head`]);
  return sha;
}

export async function createPullRecord(
  lookup: RepoLookup,
  repo: RepoRec,
  f: { head: string; base: string; title: string; body?: string | null; draft?: boolean; maintainer_can_modify?: boolean },
  user: User,
): Promise<IssueRec> {
  const { headRepo, headRef } = headLocation(lookup, repo, f.head);
  const headSha = await headRepo.git.resolve(`refs/heads/${headRef}`);
  const baseSha = await repo.git.resolve(`refs/heads/${f.base}`);
  if (!headSha) throw validationFailed('PullRequest', 'head', 'invalid');
  if (!baseSha) throw validationFailed('PullRequest', 'base', 'invalid');
  const label = `${headRepo.owner}:${headRef}`;
  for (const i of repo.issues.values()) {
    if (i.pull && i.state === 'open' && i.pull.headRepo === headRepo.fullName && i.pull.headRef === headRef && i.pull.baseRef === f.base) {
      throw validationFailed('PullRequest', undefined, 'custom', `A pull request already exists for ${label}.`);
    }
  }
  const number = repo.nextNumber++;
  await syncPullHead(repo, headRepo, headRef, number);
  if ((await repo.git.revList(baseSha, headSha)).length === 0) {
    repo.nextNumber--;
    await repo.git.deleteRef(`refs/pull/${number}/head`);
    throw validationFailed('PullRequest', undefined, 'custom', `No commits between ${f.base} and ${headRef}`);
  }
  const issue: IssueRec = {
    id: newId(),
    number,
    title: f.title,
    body: f.body ?? null,
    state: 'open',
    state_reason: null,
    user,
    labels: [],
    created_at: now(),
    updated_at: now(),
    closed_at: null,
    pull: {
      headRef,
      headRepo: headRepo.fullName,
      baseRef: f.base,
      headSha,
      baseSha,
      draft: f.draft ?? false,
      merged: false,
      merged_at: null,
      merged_by: null,
      merge_commit_sha: null,
      maintainer_can_modify: f.maintainer_can_modify ?? false,
    },
  };
  repo.issues.set(number, issue);
  return issue;
}

/** An open PR follows its branches; a closed one keeps the SHAs it had. */
export async function refreshPull(lookup: RepoLookup, repo: RepoRec, issue: IssueRec): Promise<void> {
  const pr = issue.pull;
  if (!pr || issue.state !== 'open') return;
  const headRepo = lookup.repos.get(pr.headRepo.toLowerCase()) ?? repo;
  const head = await syncPullHead(repo, headRepo, pr.headRef, issue.number);
  if (head) pr.headSha = head;
  const base = await repo.git.resolve(`refs/heads/${pr.baseRef}`);
  if (base) pr.baseSha = base;
}
