/**
 * Where registry tags live. Two homes behind one interface, chosen once at the entry point: the GitHub
 * API (actions) and a local git repository with an optional remote (CLI, demo).
 */
import type { RawTag } from './state.js';

export interface NewTag {
  name: string;
  commit: string;
  message: string;
}

export interface RegistryBackend {
  /** For messages: "acme/ml on GitHub", "remote origin". */
  readonly where: string;
  /**
   * Every tag whose name could belong to `artifact` (all tags when omitted). Backends may leave out
   * time/message for tags whose order the state does not need (see github.ts).
   */
  readTags(artifact?: string): Promise<RawTag[]>;
  /** Full sha of the commit a ref (sha, branch, tag) names; a UserError when there is none. */
  resolveCommit(ref: string): Promise<string>;
  /**
   * Create an annotated tag, atomically: `created: false` when the name is already taken (somebody
   * else won the race). Never overwrites, never force-pushes, never deletes.
   */
  createTag(tag: NewTag): Promise<{ created: boolean }>;
}
