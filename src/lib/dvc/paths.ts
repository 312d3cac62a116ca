/**
 * Workspace paths coming from files we do not control (.dvc outs, dvc.lock outs, `.dir` relpaths) are
 * checked before anything is written: they must stay inside the repository, lexically and after
 * following any symlink that already exists on the way.
 */
import { lstatSync, realpathSync } from 'node:fs';
import { dirname, isAbsolute, join, posix, relative, sep } from 'node:path';

/** Why a relative path is unsafe, or undefined when it is a plain path below its base. */
export function unsafeRelpathReason(rel: string): string | undefined {
  if (rel === '') return 'is empty';
  if (rel.includes('\0')) return 'contains a NUL byte';
  if (rel.startsWith('/') || rel.startsWith('\\') || /^[A-Za-z]:/.test(rel) || isAbsolute(rel)) return 'is absolute';
  // A backslash is a separator on Windows: judge the path as every OS would read it.
  const parts = rel.split(/[/\\]/);
  if (parts.includes('..')) return 'contains ".."';
  return undefined;
}

/**
 * Join `rel` (posix separators) onto the repo-relative folder `base` and return the normalised
 * repo-relative posix path, or throw `reason` when the result leaves the repository.
 */
export function repoRelative(base: string, rel: string): { path?: string; reason?: string } {
  if (rel.includes('\0')) return { reason: 'contains a NUL byte' };
  if (rel.startsWith('/') || /^[A-Za-z]:[\\/]/.test(rel) || isAbsolute(rel)) return { reason: 'is absolute' };
  const joined = posix.normalize(posix.join(base || '.', rel.replace(/\\/g, '/')));
  if (joined === '..' || joined.startsWith('../')) return { reason: 'points outside the repository' };
  const path = joined.replace(/\/+$/, '');
  if (path === '.' || path === '') return { reason: 'is the repository root itself' };
  return { path };
}

/**
 * Checks that writing a repo-relative path cannot land outside the repository through a symlinked
 * folder that already exists, and that no folder on the way is a file. Folders are looked at once per
 * pull (many files share them), so checking a million files costs a few thousand lstat calls.
 */
export class PathGuard {
  private readonly realRoot: string;
  /** Folder (repo-relative) -> why writing below it is refused, or '' when it is fine. */
  private readonly folders = new Map<string, string>();

  constructor(private readonly root: string) {
    this.realRoot = realpathSync(root);
  }

  /** Why `relPath` must not be written, or undefined. Its last component may be anything but a folder. */
  refuse(relPath: string): string | undefined {
    const parts = relPath.split('/');
    for (let i = 0; i < parts.length - 1; i++) {
      const reason = this.folder(parts.slice(0, i + 1).join('/'));
      if (reason === 'missing') return undefined; // nothing exists from here on: whatever we create is inside
      if (reason) return reason;
    }
    return undefined;
  }

  private folder(rel: string): string {
    const known = this.folders.get(rel);
    if (known !== undefined) return known;
    let reason = '';
    const abs = join(this.root, rel);
    let st;
    try {
      st = lstatSync(abs);
    } catch {
      reason = 'missing';
    }
    if (st?.isSymbolicLink()) {
      try {
        const r = relative(this.realRoot, realpathSync(abs));
        if (r === '..' || r.startsWith(`..${sep}`) || isAbsolute(r)) reason = `goes through the symlink ${rel} which points outside the repository`;
      } catch {
        reason = `goes through the dangling symlink ${rel}`;
      }
    } else if (st && !st.isDirectory()) {
      reason = `needs the folder ${rel}, but that is a file in the workspace; remove it and pull again`;
    }
    this.folders.set(rel, reason);
    return reason;
  }
}

export function parentOf(relPath: string): string {
  const d = dirname(relPath);
  return d === '.' ? '' : d;
}
