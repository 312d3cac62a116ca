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
  /**
   * Backoff between attempts (full jitter): first delay and cap in ms. Branches many writers share
   * want a base near one attempt's duration, so losers spread out instead of colliding again.
   */
  backoff?: { baseDelayMs: number; maxDelayMs: number };
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
      // The base tree and the edit in parallel: the shorter the read-to-update window, the fewer
      // lost races when many writers share a branch.
      const [baseTree, changes] = await Promise.all([
        baseCommit ? octokit.rest.git.getCommit({ owner, repo, commit_sha: baseCommit }).then((r) => r.data.tree.sha) : undefined,
        opts.edit(contentReader(octokit, owner, repo, baseCommit)),
      ]);
      if (!changes || changes.length === 0) return { changed: false, commit: head, attempts: used };

      const tree = await Promise.all(
        changes.map(async (c) => {
          if (c.content === null) return { path: c.path, mode: c.mode ?? '100644', type: 'blob' as const, sha: null };
          // Text goes inline in the tree request (one request less); bytes go through a blob.
          if (typeof c.content === 'string') return { path: c.path, mode: c.mode ?? '100644', type: 'blob' as const, content: c.content };
          const blob = await octokit.rest.git.createBlob({ owner, repo, content: c.content.toString('base64'), encoding: 'base64' });
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
    { attempts: opts.attempts ?? 8, baseDelayMs: opts.backoff?.baseDelayMs ?? 150, maxDelayMs: opts.backoff?.maxDelayMs ?? 3_000, retryIf: (e) => e instanceof RefMoved },
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

/** Reads files at one commit through the contents API (one request a file; big files via their blob). */
function contentReader(octokit: Octokit, owner: string, repo: string, head: string | undefined): BranchReader {
  return {
    head,
    async read(path) {
      if (!head) return undefined;
      try {
        const res = await octokit.rest.repos.getContent({ owner, repo, path: path.replace(/^\.?\//, ''), ref: head });
        const data = res.data;
        if (Array.isArray(data) || data.type !== 'file') return undefined;
        // Files over 1 MB come without content; their blob still has it.
        if (!data.content && data.size > 0) {
          const blob = await octokit.rest.git.getBlob({ owner, repo, file_sha: data.sha });
          return Buffer.from(blob.data.content, blob.data.encoding === 'base64' ? 'base64' : 'utf8');
        }
        return Buffer.from(data.content ?? '', 'base64');
      } catch (e) {
        if (httpStatus(e) === 404) return undefined;
        throw e;
      }
    },
  };
}
