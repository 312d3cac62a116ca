/**
 * Where GitOps files are committed. Two homes behind one interface, picked once at the entry point:
 * the GitHub API (git data endpoints; ./github-backend.ts) and a local git repository with a remote
 * (a temporary worktree; ../git/worktree.ts). Both commit only by fast-forward and, when the branch
 * moved under them, read the new head and call `apply` again, so concurrent bumps never lose a write.
 */
export interface FileUpdate {
  content: string;
  message: string;
}

export interface CommitFileOptions {
  branch: string;
  path: string;
  /**
   * New content from the current one (undefined: the file does not exist on the branch); null means
   * nothing to commit. Called once per attempt; may throw a UserError, and then nothing is committed.
   */
  apply(current: string | undefined): FileUpdate | null;
  /** Branch to start `branch` from when it does not exist yet (PR mode); without it a missing branch is an error. */
  startFrom?: string;
}

export interface CommitOutcome {
  changed: boolean;
  /** The new commit, or the unchanged head. */
  commit?: string;
  attempts: number;
}

export interface GitopsBackend {
  /** For messages: `acme/deploy` or `/path/to/repo (origin)`. */
  readonly where: string;
  defaultBranch(): Promise<string>;
  /** Head commit of a branch, undefined when it does not exist. */
  headOf(branch: string): Promise<string | undefined>;
  /** A file at a branch's head, undefined when the file (or branch) does not exist. */
  readFile(branch: string, path: string): Promise<string | undefined>;
  commitFile(opts: CommitFileOptions): Promise<CommitOutcome>;
  /** Create `branch` at `from`'s head, or move it there (a stale PR branch); the only non-fast-forward write. */
  resetBranch(branch: string, from: string): Promise<void>;
}
