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
 * Check that writing `relPath` under `root` cannot land outside `root` through a symlinked folder
 * that already exists. Returns the reason when it would, else undefined.
 */
export function symlinkEscape(root: string, relPath: string): string | undefined {
  const realRoot = realpathSync(root);
  const parts = relPath.split('/');
  let current = root;
  for (let i = 0; i < parts.length; i++) {
    current = join(current, parts[i]!);
    let st;
    try {
      st = lstatSync(current);
    } catch {
      return undefined; // nothing exists from here on: whatever we create is inside
    }
    if (st.isSymbolicLink()) {
      // The final component being a symlink is replaced by our rename, never followed; folders are followed.
      if (i === parts.length - 1) return undefined;
      let target: string;
      try {
        target = realpathSync(current);
      } catch {
        return `goes through the dangling symlink ${parts.slice(0, i + 1).join('/')}`;
      }
      const r = relative(realRoot, target);
      if (r === '..' || r.startsWith(`..${sep}`) || isAbsolute(r)) {
        return `goes through the symlink ${parts.slice(0, i + 1).join('/')} which points outside the repository`;
      }
    }
  }
  return undefined;
}

export function parentOf(relPath: string): string {
  const d = dirname(relPath);
  return d === '.' ? '' : d;
}
