/**
 * The tag grammar of iterative/gto (spec/registry.md), both directions: a tag name parses into an event,
 * and an event formats into the exact tag name GTO would write. Anything that does not parse is simply
 * not a registry tag.
 */
import { UserError } from '../errors.js';

export type TagAction = 'register' | 'deregister' | 'assign' | 'unassign' | 'deprecate' | 'create';

export interface ParsedTag {
  /** The tag name as written (`dvclive/dsd=nn@v0.0.1`). */
  tag: string;
  /** The artifact name as users write it, folder separator `:` (`dvclive/dsd:nn`). */
  artifact: string;
  action: TagAction;
  version?: string;
  stage?: string;
  counter?: number;
}

// Character classes exactly as GTO's (spec): hyphens are literal inside them.
const NAME = '[a-zA-Z0-9](?:[a-zA-Z0-9_/-]*[a-zA-Z0-9])?';
const DIRNAME = '[a-zA-Z0-9_./-]+';
// semver.org's regular expression for 2.0.0, with the leading `v`.
const NUM = '(?:0|[1-9][0-9]*)';
const PRE_ID = '(?:0|[1-9][0-9]*|[0-9]*[a-zA-Z-][0-9a-zA-Z-]*)';
const SEMVER = `${NUM}\\.${NUM}\\.${NUM}(?:-${PRE_ID}(?:\\.${PRE_ID})*)?(?:\\+[0-9a-zA-Z-]+(?:\\.[0-9a-zA-Z-]+)*)?`;
const VERSION = `v${SEMVER}`;

const nameRe = new RegExp(`^${NAME}$`);
const artifactRe = new RegExp(`^(?:${DIRNAME}:)?${NAME}$`);
const versionRe = new RegExp(`^${VERSION}$`);
const tagRe = new RegExp(
  `^(?<artifact>(?:${DIRNAME}=)?${NAME})` +
    `(?:(?:#(?<stage>${NAME})|@(?<version>${VERSION}))(?<cancel>!?)|@(?<special>deprecated|created))` +
    `(?:#(?<counter>[0-9]+))?$`,
);

export const isStageName = (s: string): boolean => nameRe.test(s);
export const isArtifactName = (s: string): boolean => artifactRe.test(s);
/** `v` + semantic version 2.0.0; `1.2.3` without the v is not a version. */
export const isVersion = (s: string): boolean => versionRe.test(s);

/** `folder:name` as written inside a tag (`folder=name`). */
export const artifactInTag = (artifact: string): string => artifact.replace(':', '=');
const artifactFromTag = (tagArtifact: string): string => tagArtifact.replace('=', ':');

/** Parse a tag name; undefined when it is not a registry tag. */
export function parseTag(tag: string): ParsedTag | undefined {
  const m = tagRe.exec(tag);
  if (!m?.groups) return undefined;
  const g = m.groups;
  const out: ParsedTag = { tag, artifact: artifactFromTag(g.artifact!), action: 'register' };
  if (g.version) {
    out.version = g.version;
    out.action = g.cancel ? 'deregister' : 'register';
  } else if (g.stage) {
    out.stage = g.stage;
    out.action = g.cancel ? 'unassign' : 'assign';
  } else {
    out.action = g.special === 'deprecated' ? 'deprecate' : 'create';
  }
  if (g.counter !== undefined) out.counter = Number(g.counter);
  return out;
}

export interface TagSpec {
  artifact: string;
  action: TagAction;
  version?: string;
  stage?: string;
  counter?: number;
}

/** The tag name for an event; throws a UserError naming the bad part. */
export function formatTag(spec: TagSpec): string {
  assertArtifact(spec.artifact);
  const a = artifactInTag(spec.artifact);
  let tag: string;
  switch (spec.action) {
    case 'register':
    case 'deregister':
      assertVersion(spec.version ?? '');
      tag = `${a}@${spec.version}${spec.action === 'deregister' ? '!' : ''}`;
      break;
    case 'assign':
    case 'unassign':
      assertStage(spec.stage ?? '');
      tag = `${a}#${spec.stage}${spec.action === 'unassign' ? '!' : ''}`;
      break;
    case 'deprecate':
      tag = `${a}@deprecated`;
      break;
    case 'create':
      tag = `${a}@created`;
      break;
  }
  if (spec.counter !== undefined) {
    if (!Number.isInteger(spec.counter) || spec.counter < 0) throw new UserError(`invalid tag counter ${spec.counter}`);
    tag += `#${spec.counter}`;
  }
  return tag;
}

export function assertArtifact(name: string, field = 'artifact'): void {
  if (!isArtifactName(name)) {
    throw new UserError(
      `invalid artifact name "${name}": use letters, digits, "-", "_" and "/" (starting and ending with a letter or digit), optionally prefixed by a folder as "folder:name"`,
      { field },
    );
  }
}

export function assertStage(stage: string, field = 'stage'): void {
  if (!isStageName(stage)) {
    throw new UserError(`invalid stage name "${stage}": use letters, digits, "-", "_" and "/", starting and ending with a letter or digit`, {
      field,
    });
  }
}

export function assertVersion(version: string, field = 'version'): void {
  if (!isVersion(version)) {
    const hint = isVersion(`v${version}`) ? ` (write "v${version}")` : '';
    throw new UserError(`invalid version "${version}": expected "v" followed by a semantic version such as v1.2.3 or v1.2.3-rc.1${hint}`, {
      field,
    });
  }
}
