/**
 * Commit files to a branch through the git data API (blobs, trees, commits, refs) as one atomic
 * compare-and-swap: the ref moves only if nobody moved it since we read it (force: false). When it
 * moved, the edit is re-applied on the new tree, so concurrent writers never lose an update.
 * Used by gitops bumps, plot asset hosting and anything else that writes files over the API.
 */
import { UserError } from '../errors.js';
import { withRetry } from '../retry.js';
import type { Octokit } from './octokit.js';
import { httpStatus } from './errors.js';

export interface FileChange {
  path: string;
  /** New content; null deletes the file. */
  content: string | Buffer | null;
  mode?: '100644' | '100755';
}

export interface BranchReader {
  /** The commit the edit is based on (undefined when the branch does not exist yet). */
  head?: string;
  read(path: string): Promise<Buffer | undefined>;
}

export interface CommitChangesOptions {
  owner: string;
  repo: string;
  branch: string;
  /** Commit message; a function is called after `edit`, so the message can describe what the edit found. */
  message: string | (() => string);
  /** What to do when the branch does not exist: start an orphan history, fork from a sha, or fail. */
  ifMissing?: { orphan: true } | { from: string } | 'fail';
  /** Computes the changes against the current branch head; null or [] means nothing to commit. */
  edit: (reader: BranchReader) => Promise<FileChange[] | null>;
  attempts?: number;
}

export interface CommitResult {
  changed: boolean;
  /** The new commit, or the unchanged head. */
  commit?: string;
  attempts: number;
}

class RefMoved extends Error {}

export async function commitChanges(octokit: Octokit, opts: CommitChangesOptions): Promise<CommitResult> {
  const { owner, repo, branch } = opts;
  const ref = `heads/${branch}`;
  let used = 0;
  return withRetry(
    async (attempt) => {
      used = attempt + 1;
      const head = await readHead(octokit, owner, repo, ref);
      if (!head && (opts.ifMissing ?? 'fail') === 'fail') {
        throw new UserError(`branch "${branch}" does not exist in ${owner}/${repo}`, { field: 'branch' });
      }
      const baseCommit = head ?? (typeof opts.ifMissing === 'object' && 'from' in opts.ifMissing ? opts.ifMissing.from : undefined);
      const baseTree = baseCommit ? (await octokit.rest.git.getCommit({ owner, repo, commit_sha: baseCommit })).data.tree.sha : undefined;
      const reader = treeReader(octokit, owner, repo, baseCommit, baseTree);
      const changes = await opts.edit(reader);
      if (!changes || changes.length === 0) return { changed: false, commit: head, attempts: used };

      const tree = await Promise.all(
        changes.map(async (c) => {
          if (c.content === null) return { path: c.path, mode: c.mode ?? '100644', type: 'blob' as const, sha: null };
          const buf = Buffer.isBuffer(c.content) ? c.content : Buffer.from(c.content, 'utf8');
          const blob = await octokit.rest.git.createBlob({ owner, repo, content: buf.toString('base64'), encoding: 'base64' });
          return { path: c.path, mode: c.mode ?? '100644', type: 'blob' as const, sha: blob.data.sha };
        }),
      );
      const newTree = await octokit.rest.git.createTree({ owner, repo, tree, ...(baseTree ? { base_tree: baseTree } : {}) });
      const commit = await octokit.rest.git.createCommit({
        owner,
        repo,
        message: typeof opts.message === 'function' ? opts.message() : opts.message,
        tree: newTree.data.sha,
        parents: baseCommit ? [baseCommit] : [],
      });
      try {
        if (head) await octokit.rest.git.updateRef({ owner, repo, ref, sha: commit.data.sha, force: false });
        else await octokit.rest.git.createRef({ owner, repo, ref: `refs/${ref}`, sha: commit.data.sha });
      } catch (e) {
        // 422: "Update is not a fast forward" / "Reference already exists"; 409 on some conflicts.
        if (httpStatus(e) === 422 || httpStatus(e) === 409) throw new RefMoved(`${ref} moved`);
        throw e;
      }
      return { changed: true, commit: commit.data.sha, attempts: used };
    },
    { attempts: opts.attempts ?? 8, baseDelayMs: 150, maxDelayMs: 3_000, retryIf: (e) => e instanceof RefMoved },
  ).catch((e) => {
    if (e instanceof RefMoved) {
      throw new UserError(`${owner}/${repo} branch ${branch} kept moving; gave up after ${used} attempts (nothing was lost: re-run to apply)`);
    }
    throw e;
  });
}

async function readHead(octokit: Octokit, owner: string, repo: string, ref: string): Promise<string | undefined> {
  try {
    return (await octokit.rest.git.getRef({ owner, repo, ref })).data.object.sha;
  } catch (e) {
    if (httpStatus(e) === 404) return undefined;
    throw e;
  }
}

function treeReader(octokit: Octokit, owner: string, repo: string, head: string | undefined, tree: string | undefined): BranchReader {
  let entries: Promise<Map<string, string>> | undefined;
  const load = async () => {
    const map = new Map<string, string>();
    if (!tree) return map;
    const res = await octokit.rest.git.getTree({ owner, repo, tree_sha: tree, recursive: 'true' });
    for (const e of res.data.tree) if (e.type === 'blob' && e.path && e.sha) map.set(e.path, e.sha);
    return map;
  };
  return {
    head,
    async read(path) {
      entries ??= load();
      const sha = (await entries).get(path.replace(/^\.?\//, ''));
      if (!sha) return undefined;
      const blob = await octokit.rest.git.getBlob({ owner, repo, file_sha: sha });
      return Buffer.from(blob.data.content, blob.data.encoding === 'base64' ? 'base64' : 'utf8');
    },
  };
}
