/**
 * Security policy for everything we ship (spec/actions-runtime.md, "Security rules"):
 * - no `${{ }}` inside `run:` (event, input and step data reach the shell only through env:);
 * - every job declares its own `permissions:`, with no write grant none of its steps needs and no
 *   missing grant a step needs (needs.ts), and a concurrency group when it writes;
 * - third-party `uses:` pinned to a 40-hex commit SHA with the version in a comment.
 */
import { TOOLKIT_REPO_NAME, type ParsedFile } from './files.js';
import type { CheckId, Finding } from './findings.js';
import type { Step, YamlPath } from './model.js';
import { NeedsResolver, unknownMessage } from './needs.js';
import { covers, parseGrants } from './permissions.js';
import type { ShippedRepo } from './repo.js';

const SHA_PIN = /^[^@\s]+@[0-9a-f]{40}$/;
const DOCKER_PIN = /^docker:\/\/[^@\s]+@sha256:[0-9a-f]{64}$/;
// A template names this toolkit with a placeholder ref that `mlops init --ref <sha>` pins.
const TOOLKIT_REF = new RegExp(`^[^/@]+/${TOOLKIT_REPO_NAME}/`);

export function checkPolicy(repo: ShippedRepo): Finding[] {
  const findings: Finding[] = [];
  const report = (file: ParsedFile, path: YamlPath, check: CheckId, message: string) =>
    findings.push({ check, file: file.path, line: file.yaml.lineOf(path), message });
  const resolver = new NeedsResolver(repo);

  // run: with ${{ }} — in workflows and in composite actions.
  const checkRun = (file: ParsedFile, steps: Step[]) => {
    for (const step of steps) {
      if (step.run !== undefined && step.run.includes('${{')) {
        report(file, [...step.path, 'run'], 'run-expression', 'expression inside run: — pass the value through env: and use "$VAR"');
      }
    }
  };

  const checkPin = (file: ParsedFile, path: YamlPath, uses: string, template: boolean) => {
    if (uses.startsWith('./') || uses.startsWith('$/')) return;
    if (template && TOOLKIT_REF.test(uses)) return;
    if (uses.startsWith('docker://')) {
      if (!DOCKER_PIN.test(uses)) report(file, path, 'pin-sha', `${uses}: pin the image by digest (docker://image@sha256:...)`);
      return;
    }
    if (!SHA_PIN.test(uses)) {
      report(file, path, 'pin-sha', `${uses}: pin third-party actions to a full 40-hex commit SHA (with the version in a comment)`);
      return;
    }
    const line = file.yaml.lineOf(path);
    const text = line ? (file.text.split('\n')[line - 1] ?? '') : '';
    if (!/#\s*v?\d+(\.\d+)*/.test(text)) {
      report(file, path, 'pin-sha', `${uses}: add the version it pins as a comment (e.g. "# v5.0.0")`);
    }
  };

  for (const action of repo.actions.values()) {
    if (!action.composite) continue;
    checkRun(action.file, action.composite.steps);
    for (const step of action.composite.steps) if (step.uses) checkPin(action.file, [...step.path, 'uses'], step.uses, false);
    for (const u of resolver.composite(action.dir).unknown) report(action.file, u.path, 'permissions-unknown', unknownMessage(u));
  }

  for (const wf of repo.workflows.values()) {
    const { file } = wf;
    for (const job of wf.jobs) {
      checkRun(file, job.scope.steps);
      if (job.uses) checkPin(file, [...job.path, 'uses'], job.uses, wf.template);
      for (const step of job.scope.steps) if (step.uses) checkPin(file, [...step.path, 'uses'], step.uses, wf.template);

      const granted = parseGrants(job.node.permissions);
      // Two runs of a writing job (a push right after another, a re-run) race on the same tags,
      // branches and comments; a concurrency group orders or cancels them. Calls are checked inside.
      const writes = Object.entries(granted ?? {}).filter(([, l]) => l === 'write').map(([k]) => k);
      if (!job.uses && writes.length && job.node.concurrency === undefined && wf.file.yaml.value.concurrency === undefined) {
        report(file, job.path, 'concurrency-missing', `job "${job.id}" writes (${writes.join(', ')}) but has no concurrency: group, so two runs would race`);
      }
      if (!granted) {
        report(file, job.path, 'permissions-missing', `job "${job.id}" has no permissions: block (declare the least it needs; default contents: read)`);
        continue;
      }
      const { grants: needs, why, unknown } = resolver.job(job);
      for (const u of unknown) report(file, u.path, 'permissions-unknown', unknownMessage(u));
      if (unknown.length) continue;
      for (const [scope, level] of Object.entries(granted)) {
        if (level === 'write' && needs[scope] !== 'write') {
          report(file, [...job.path, 'permissions', scope], 'permissions-unused', `job "${job.id}" grants ${scope}: write but no step writes ${scope}${needs[scope] ? ' (read is enough)' : ''}`);
        }
      }
      for (const [scope, level] of Object.entries(needs)) {
        if (level !== 'none' && !covers(granted[scope], level)) {
          report(file, [...job.path, 'permissions'], 'permissions-insufficient', `job "${job.id}" needs ${scope}: ${level} for ${why.get(scope) ?? 'a step'}`);
        }
      }
    }
  }
  return findings;
}
