/**
 * Tag messages: GTO's first line (so `gto show`/`gto history` read naturally), a blank line, then our
 * audit record as one JSON object.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { messageOf, UserError } from '../errors.js';
import { parseYaml } from '../yaml.js';

export interface AuditRecord {
  actor?: string;
  run_url?: string;
  commit?: string;
  metrics?: unknown;
  image_digest?: string;
  /** For assignments: the version that held the stage before (null: the stage was empty). */
  previous_version?: string | null;
  forced?: boolean;
  reason?: string;
  rollback?: boolean;
}

/** Where the write comes from, filled in by the entry point (action or CLI). */
export interface AuditContext {
  actor?: string;
  runUrl?: string;
  metrics?: unknown;
  imageDigest?: string;
}

export const registerTitle = (artifact: string, version: string) => `Registering artifact ${artifact} version ${version}`;
export const assignTitle = (artifact: string, stage: string, version: string) => `Assigning stage ${stage} to artifact ${artifact} version ${version}`;

export function tagMessage(title: string, audit: AuditRecord): string {
  const record = Object.fromEntries(Object.entries(audit).filter(([, v]) => v !== undefined));
  return `${title}\n\n${JSON.stringify(record)}\n`;
}

/** First line and, when present, our audit record; tags written by GTO itself have no record. */
export function parseTagMessage(message: string | undefined): { title: string; audit?: AuditRecord } {
  const text = (message ?? '').replace(/\r\n/g, '\n');
  const [title = '', ...rest] = text.split('\n');
  const body = rest.join('\n').trim();
  if (body.startsWith('{')) {
    try {
      const audit = JSON.parse(body) as unknown;
      if (audit && typeof audit === 'object' && !Array.isArray(audit)) return { title, audit: audit as AuditRecord };
    } catch {
      // Not ours: a hand-written message.
    }
  }
  return { title };
}

/**
 * The metrics snapshot for the audit record: inline JSON (`{"auc": 0.91}`) or the path of a JSON/YAML
 * metrics file relative to `cwd`. Empty: none.
 */
export function readMetricsSnapshot(value: string | undefined, cwd: string, field = 'metrics'): unknown {
  const text = value?.trim();
  if (!text) return undefined;
  if (text.startsWith('{') || text.startsWith('[')) {
    try {
      return JSON.parse(text) as unknown;
    } catch (e) {
      throw new UserError(`${field} is not valid JSON: ${messageOf(e)}`, { field });
    }
  }
  const file = resolve(cwd, text);
  if (!existsSync(file)) throw new UserError(`${field}: "${text}" is neither inline JSON nor an existing file`, { field });
  return parseYaml(readFileSync(file, 'utf8'), text).value;
}

/** The run URL for the audit record (kept under this name for existing importers). */
export { runUrl as runUrlFromEnv } from '../github/context.js';
