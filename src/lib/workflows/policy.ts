/**
 * Security policy for everything we ship (spec/actions-runtime.md, "Security rules"):
 * - no `${{ }}` inside `run:` (event, input and step data reach the shell only through env:);
 * - every job declares its own `permissions:`, with no write grant none of its steps needs and no
 *   missing grant a step needs (needs from permissions.ts; composites and reusable workflows derived);
 * - third-party `uses:` pinned to a 40-hex commit SHA with the version in a comment.
 */
import { localActionPath, localWorkflowPath, TOOLKIT_REPO_NAME, type ParsedFile } from './files.js';
import type { CheckId, Finding } from './findings.js';
import type { Job, Step, YamlPath } from './model.js';
import {
  ACTION_NEEDS,
  CLI_NEEDS,
  covers,
  declaredRunNeeds,
  merge,
  parseGrants,
  passesToken,
  THIRD_PARTY_NEEDS,
  usesOtherToken,
  type Grants,
} from './permissions.js';
import type { ShippedRepo } from './repo.js';

const SHA_PIN = /^[^@\s]+@[0-9a-f]{40}$/;
const DOCKER_PIN = /^docker:\/\/[^@\s]+@sha256:[0-9a-f]{64}$/;
// A template names this toolkit with a placeholder ref that `mlops init --ref <sha>` pins.
const TOOLKIT_REF = new RegExp(`^[^/@]+/${TOOLKIT_REPO_NAME}/`);

interface NeedsResult {
  needs: Grants;
  /** Why a needed permission is needed, for messages: scope -> step description. */
  why: Map<string, string>;
  unknown: { path: YamlPath; uses: string; message?: string }[];
}

export function checkPolicy(repo: ShippedRepo): Finding[] {
  const findings: Finding[] = [];
  const report = (file: ParsedFile, path: YamlPath, check: CheckId, message: string) =>
    findings.push({ check, file: file.path, line: file.yaml.lineOf(path), message });

  const compositeNeeds = new Map<string, NeedsResult>();
  const needsOfSteps = (steps: Step[], seen: Set<string>): NeedsResult => {
    const result: NeedsResult = { needs: {}, why: new Map(), unknown: [] };
    const add = (g: Grants, why: string) => {
      for (const [scope, level] of Object.entries(g)) {
        if (level !== 'none' && !covers(result.needs[scope], level)) result.why.set(scope, why);
      }
      result.needs = merge(result.needs, g);
    };
    for (const step of steps) {
      if (step.run !== undefined) {
        const declared = declaredRunNeeds(step.run);
        let known = declared !== undefined;
        if (declared) add(declared, `run step ${step.id ?? ''}`.trim());
        // A step that runs the bundled CLI (or `mlops`) needs what its subcommands need.
        if (/dist\/cli\/index\.js|\bmlops\s/.test(step.run)) {
          for (const [name, grants] of Object.entries(CLI_NEEDS)) {
            if (new RegExp(`(^|[\\s("'])${name}([\\s)"']|$)`, 'm').test(step.run)) {
              add(grants, `mlops ${name}`);
              known = true;
            }
          }
        }
        if (!known && passesToken(step.env)) result.unknown.push({
            path: step.path,
            uses: 'run step',
            message: 'a run step that gets a token in env: must declare what it needs as "# permissions: <scope>: <level>, ..." in its script',
          });
        continue;
      }
      if (!step.uses) continue;
      const token = step.with['github-token'] ?? step.with.token;
      const local = localActionPath(step.uses);
      if (local) {
        const name = local.slice('actions/'.length);
        const info = repo.actions.get(local);
        if (info?.composite) {
          if (seen.has(local)) continue;
          const inner = compositeNeedsOf(local, seen);
          if (!usesOtherToken(token)) add(inner.needs, step.uses);
          result.unknown.push(...inner.unknown.map((u) => ({ ...u, path: step.path })));
        } else if (ACTION_NEEDS[name]) {
          if (!usesOtherToken(token)) add(ACTION_NEEDS[name](step.with), step.uses);
        } else if (info) {
          result.unknown.push({ path: step.path, uses: step.uses });
        }
        continue;
      }
      const key = step.uses.split('@')[0]!.split('/').slice(0, 2).join('/');
      const table = THIRD_PARTY_NEEDS[key];
      if (table) {
        if (!usesOtherToken(token)) add(table(step.with), step.uses.split('@')[0]!);
      } else {
        result.unknown.push({ path: step.path, uses: step.uses });
      }
    }
    return result;
  };
  const compositeNeedsOf = (dir: string, seen = new Set<string>()): NeedsResult => {
    const cached = compositeNeeds.get(dir);
    if (cached) return cached;
    const info = repo.actions.get(dir)!;
    const r = needsOfSteps(info.composite!.steps, new Set([...seen, dir]));
    compositeNeeds.set(dir, r);
    return r;
  };

  /** What a job needs: from its steps, or for a reusable-workflow call, what the called jobs declare. */
  const jobNeeds = (job: Job): NeedsResult => {
    if (!job.uses) return needsOfSteps(job.scope.steps, new Set());
    const target = localWorkflowPath(job.uses);
    const called = target ? repo.workflows.get(target) : undefined;
    const result: NeedsResult = { needs: {}, why: new Map(), unknown: [] };
    if (!called) {
      result.unknown.push({ path: [...job.path, 'uses'], uses: job.uses });
      return result;
    }
    for (const inner of called.jobs) {
      const g = parseGrants(inner.node.permissions) ?? {};
      for (const [scope, level] of Object.entries(g)) {
        if (level !== 'none' && !covers(result.needs[scope], level)) result.why.set(scope, `${target} job ${inner.id}`);
      }
      result.needs = merge(result.needs, g);
    }
    return result;
  };

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
    for (const u of compositeNeedsOf(action.dir).unknown) {
      report(action.file, u.path, 'permissions-unknown', u.message ?? `${u.uses}: permissions it needs are unknown — add it to src/lib/workflows/permissions.ts`);
    }
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
      const { needs, why, unknown } = jobNeeds(job);
      for (const u of unknown) {
        report(file, u.path, 'permissions-unknown', u.message ?? `${u.uses}: permissions it needs are unknown — add it to src/lib/workflows/permissions.ts`);
      }
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
