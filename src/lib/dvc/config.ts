/**
 * `.dvc/config` and `.dvc/config.local`, read the way DVC reads them (configobj, see dvc/config.py):
 * sections `[core]`, `[cache]` and `['remote "name"']` (configobj quotes the section name because it
 * holds double quotes), keys and section names lower-cased, config.local merged over config, relative
 * remote URLs and `cache.dir` resolved against the `.dvc` folder, `cache.type` checked as DVC's config
 * schema checks it.
 *
 * Parsing is done by `ini` after normalising what ini reads differently from configobj: indented
 * lines, dots in section names (ini nests on `.`) and `;` in values (ini starts a comment there).
 */
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import ini from 'ini';
import { UserError } from '../errors.js';

export interface RemoteConfig {
  name: string;
  url: string;
  /** Every other option of the section, lower-cased keys (user, password, endpointurl, region, ...). */
  options: Record<string, string>;
}

/** Ways to make a workspace file from a cache object, DVC's `cache.type` values. */
export type LinkType = 'reflink' | 'hardlink' | 'symlink' | 'copy';
const LINK_TYPES: readonly string[] = ['reflink', 'hardlink', 'symlink', 'copy'] satisfies LinkType[];
/** DVC's default for local caches: a reflink where the filesystem has them, else a copy. */
const DEFAULT_LINK_TYPES: LinkType[] = ['reflink', 'copy'];

export interface DvcConfig {
  /** `core.remote`, lower-cased as DVC does; undefined when no default remote is set. */
  defaultRemote?: string;
  remotes: Map<string, RemoteConfig>;
  /** Absolute cache directory (`cache.dir`, default `<root>/.dvc/cache`). */
  cacheDir: string;
  /** `cache.type`: link types to try in order (default reflink, then copy). */
  linkTypes: LinkType[];
  /** The file that set `cache.type`, for messages. */
  linkTypesFile: string;
}

type Sections = Record<string, Record<string, string>>;

/** configobj-compatible text -> {section: {key: value}} with lower-cased names. */
export function parseDvcIni(text: string, file: string): Sections {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const normalised = lines.map((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) return '';
    if (line.startsWith('[')) {
      if (!/^\[[^\]]*\]$/.test(line)) throw new UserError(`malformed section header "${line}"`, { file, line: i + 1 });
      return line.replace(/\./g, '\\.');
    }
    if (!line.includes('=')) throw new UserError(`expected "key = value", got "${line}"`, { file, line: i + 1 });
    const eq = line.indexOf('=');
    const value = line.slice(eq + 1).trim();
    // configobj: `#` starts an inline comment in an unquoted value, `;` does not.
    const quoted = /^(['"]).*\1$/.test(value);
    return `${line.slice(0, eq).trim()} = ${quoted ? value : value.replace(/;/g, '\\;')}`;
  });
  const parsed = ini.parse(normalised.join('\n')) as Record<string, unknown>;
  const out: Sections = {};
  for (const [section, body] of Object.entries(parsed)) {
    if (typeof body !== 'object' || body === null) continue; // keys before any section: configobj keeps them at top level; DVC ignores them
    const values: Record<string, string> = {};
    for (const [k, v] of Object.entries(body as Record<string, unknown>)) {
      if (typeof v === 'object') continue;
      values[k.toLowerCase()] = String(v);
    }
    out[section.toLowerCase()] = { ...out[section.toLowerCase()], ...values };
  }
  return out;
}

/** Read and merge config + config.local of the repository at `root`. */
export function readDvcConfig(root: string): DvcConfig {
  const dvcDir = join(root, '.dvc');
  const merged: Sections = {};
  let linkTypesFile = '.dvc/config';
  for (const name of ['config', 'config.local']) {
    const path = join(dvcDir, name);
    if (!existsSync(path)) continue;
    const sections = parseDvcIni(readFileSync(path, 'utf8'), `.dvc/${name}`);
    for (const [section, values] of Object.entries(sections)) merged[section] = { ...merged[section], ...values };
    if (sections.cache?.type !== undefined) linkTypesFile = `.dvc/${name}`;
  }

  const remotes = new Map<string, RemoteConfig>();
  for (const [section, values] of Object.entries(merged)) {
    const m = /^\s*remote\s*"(.*)"\s*$/.exec(section);
    if (!m) continue;
    const name = m[1]!;
    const { url, ...options } = values;
    if (!url) throw new UserError(`remote "${name}" has no url; set it with \`dvc remote add ${name} <url>\``, { file: '.dvc/config', field: `remote "${name}".url` });
    remotes.set(name, { name, url: resolveUrl(url, dvcDir), options });
  }
  const cacheDir = merged.cache?.dir ? resolveUrl(merged.cache.dir, dvcDir) : join(dvcDir, 'cache');
  const defaultRemote = merged.core?.remote ? merged.core.remote.toLowerCase() : undefined;
  const linkTypes = merged.cache?.type === undefined ? DEFAULT_LINK_TYPES : parseLinkTypes(merged.cache.type, linkTypesFile);
  return { defaultRemote, remotes, cacheDir, linkTypes, linkTypesFile };
}

/** `hardlink,symlink` -> ['hardlink', 'symlink'], refusing what DVC's schema refuses. */
function parseLinkTypes(value: string, file: string): LinkType[] {
  // configobj reads `a, b` as a list and `"a", "b"` as a quoted list: both mean the same to DVC.
  const types = value.split(',').map((t) => t.trim().replace(/^(['"])(.*)\1$/, '$2').trim());
  const unsupported = types.filter((t) => !LINK_TYPES.includes(t));
  if (unsupported.length) {
    throw new UserError(`cache.type "${value}": unsupported link type(s) ${unsupported.map((t) => `"${t}"`).join(', ')}; use a comma-separated list of ${LINK_TYPES.join(', ')}`, {
      file,
      field: 'cache.type',
    });
  }
  return types as LinkType[];
}

/** DVC resolves relative local paths in the config against the folder holding the config file. */
function resolveUrl(url: string, dvcDir: string): string {
  if (/^\w+:\/\//.test(url) || isAbsolute(url)) return url;
  return resolve(dvcDir, url);
}
