/**
 * What GITHUB_TOKEN permissions a job really needs, derived from its steps: our actions and the
 * third-party ones from the tables in permissions.ts, composites from their own steps, `mlops`
 * commands from CLI_NEEDS, scripts from their `# permissions:` line, and a reusable-workflow call from
 * what the called jobs declare. Anything it cannot tell is listed as unknown, never guessed.
 */
import { localActionPath, localWorkflowPath } from './files.js';
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

export interface Unknown {
  path: YamlPath;
  uses: string;
  message?: string;
}

export class Needs {
  grants: Grants = {};
  /** Why each scope is needed (the step that needs the highest level), for messages. */
  readonly why = new Map<string, string>();
  readonly unknown: Unknown[] = [];

  add(g: Grants, why: string): void {
    for (const [scope, level] of Object.entries(g)) {
      if (level !== 'none' && !covers(this.grants[scope], level)) this.why.set(scope, why);
    }
    this.grants = merge(this.grants, g);
  }
}

export const unknownMessage = (u: Unknown): string =>
  u.message ?? `${u.uses}: permissions it needs are unknown — add it to src/lib/workflows/permissions.ts`;

export class NeedsResolver {
  private readonly composites = new Map<string, Needs>();

  constructor(private readonly repo: ShippedRepo) {}

  /** A composite action (folder `actions/x`), from its steps; cached, cycles cut. */
  composite(dir: string, seen: ReadonlySet<string> = new Set()): Needs {
    let needs = this.composites.get(dir);
    if (!needs) {
      needs = this.steps(this.repo.actions.get(dir)!.composite!.steps, new Set([...seen, dir]));
      this.composites.set(dir, needs);
    }
    return needs;
  }

  job(job: Job): Needs {
    if (!job.uses) return this.steps(job.scope.steps, new Set());
    const needs = new Needs();
    const target = localWorkflowPath(job.uses);
    const called = target ? this.repo.workflows.get(target) : undefined;
    if (!called) {
      needs.unknown.push({ path: [...job.path, 'uses'], uses: job.uses });
      return needs;
    }
    // A called workflow can only narrow the caller's grant: the caller must cover what its jobs ask.
    for (const inner of called.jobs) needs.add(parseGrants(inner.node.permissions) ?? {}, `${target} job ${inner.id}`);
    return needs;
  }

  private steps(steps: Step[], seen: ReadonlySet<string>): Needs {
    const needs = new Needs();
    for (const step of steps) {
      if (step.run !== undefined) this.runStep(step, needs);
      else if (step.uses) this.usesStep(step, needs, seen);
    }
    return needs;
  }

  private runStep(step: Step, needs: Needs): void {
    const run = step.run!;
    const declared = declaredRunNeeds(run);
    let known = declared !== undefined;
    if (declared) needs.add(declared, `run step ${step.id ?? ''}`.trim());
    // A step that runs the bundled CLI (or `mlops`) needs what its subcommands need.
    if (/dist\/cli\/index\.js|\bmlops\s/.test(run)) {
      for (const [name, grants] of Object.entries(CLI_NEEDS)) {
        if (new RegExp(`(^|[\\s("'])${name}([\\s)"']|$)`, 'm').test(run)) {
          needs.add(grants, `mlops ${name}`);
          known = true;
        }
      }
    }
    if (!known && passesToken(step.env)) {
      needs.unknown.push({
        path: step.path,
        uses: 'run step',
        message: 'a run step that gets a token in env: must declare what it needs as "# permissions: <scope>: <level>, ..." in its script',
      });
    }
  }

  private usesStep(step: Step, needs: Needs, seen: ReadonlySet<string>): void {
    const uses = step.uses!;
    // A step given another credential (a secret alone) puts nothing on GITHUB_TOKEN.
    const ownToken = !usesOtherToken(step.with['github-token'] ?? step.with.token);
    const local = localActionPath(uses);
    if (local) {
      const info = this.repo.actions.get(local);
      const table = ACTION_NEEDS[local.slice('actions/'.length)];
      if (info?.composite) {
        if (seen.has(local)) return;
        const inner = this.composite(local, seen);
        if (ownToken) needs.add(inner.grants, uses);
        needs.unknown.push(...inner.unknown.map((u) => ({ ...u, path: step.path })));
      } else if (table) {
        if (ownToken) needs.add(table(step.with), uses);
      } else if (info) {
        needs.unknown.push({ path: step.path, uses });
      }
      return;
    }
    const name = uses.split('@')[0]!;
    const table = THIRD_PARTY_NEEDS[name.split('/').slice(0, 2).join('/')];
    if (!table) needs.unknown.push({ path: step.path, uses });
    else if (ownToken) needs.add(table(step.with), name);
  }
}
