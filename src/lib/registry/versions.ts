/** Ordering and bumping of `v`+semver versions (GTO's rules: first version v0.0.1, bump drops pre-release). */
import semver from 'semver';
import { UserError } from '../errors.js';
import { assertVersion, isVersion } from './grammar.js';

export type Bump = 'major' | 'minor' | 'patch';
export const FIRST_VERSION = 'v0.0.1';

/** Semver precedence; versions equal by precedence (differing in build metadata only) fall back to text. */
export function compareVersions(a: string, b: string): number {
  return semver.compare(a.slice(1), b.slice(1)) || (a < b ? -1 : a > b ? 1 : 0);
}

export function sortVersions(versions: Iterable<string>): string[] {
  return [...versions].filter(isVersion).sort(compareVersions);
}

export function maxVersion(versions: Iterable<string>): string | undefined {
  return sortVersions(versions).at(-1);
}

export function parseBump(value: string, field = 'bump'): Bump {
  if (value === 'major' || value === 'minor' || value === 'patch') return value;
  throw new UserError(`${field} must be one of major, minor, patch (got "${value}")`, { field });
}

/** Next version after `latest` (undefined: nothing registered yet -> v0.0.1). */
export function bumpVersion(latest: string | undefined, bump: Bump = 'patch'): string {
  if (!latest) return FIRST_VERSION;
  assertVersion(latest);
  const v = semver.parse(latest.slice(1))!;
  if (bump === 'major') return `v${v.major + 1}.0.0`;
  if (bump === 'minor') return `v${v.major}.${v.minor + 1}.0`;
  return `v${v.major}.${v.minor}.${v.patch + 1}`;
}
