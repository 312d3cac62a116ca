/**
 * The branch flow policy (ours, not GTO's): stages are ordered, each stage is fed by one branch, and a
 * version or a pull request may only move one stage forward at a time.
 *
 *   feature/experiment branches ──PR──▶ main (dev) ──PR──▶ staging ──PR──▶ production
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_BRANCHES, DEFAULT_STAGES, stageOfBranch, type MlopsConfig } from './config.js';
import { UserError } from './errors.js';
import { parseYaml } from './yaml.js';

export type BranchFlow = Pick<MlopsConfig, 'stages' | 'branches'>;

export const defaultFlow = (): BranchFlow => ({ stages: [...DEFAULT_STAGES], branches: { ...DEFAULT_BRANCHES } });

export { stageOfBranch };

const shortBranch = (b: string) => b.replace(/^refs\/heads\//, '');

/** Branches that deploy to a stage, in mlops.yml order. */
export function branchesOfStage(flow: BranchFlow, stage: string): string[] {
  return Object.entries(flow.branches)
    .filter(([, s]) => s === stage)
    .map(([b]) => b);
}

/** The stage a version must hold before it may be assigned `stage`; undefined for the first stage. */
export function previousStage(flow: Pick<BranchFlow, 'stages'>, stage: string): string | undefined {
  const i = flow.stages.indexOf(stage);
  return i > 0 ? flow.stages[i - 1] : undefined;
}

export function nextStage(flow: Pick<BranchFlow, 'stages'>, stage: string): string | undefined {
  const i = flow.stages.indexOf(stage);
  return i >= 0 ? flow.stages[i + 1] : undefined;
}

export function assertKnownStage(flow: Pick<BranchFlow, 'stages'>, stage: string, field = 'stage'): void {
  if (!flow.stages.includes(stage)) {
    throw new UserError(`unknown stage "${stage}": the stages are ${flow.stages.join(', ')} (mlops.yml \`stages:\`)`, { field });
  }
}

export interface PrVerdict {
  allowed: boolean;
  /** One line saying why, naming the branch a PR into `into` must come from when refused. */
  reason: string;
  /** Stage the target branch deploys to, if any. */
  stage?: string;
}

/**
 * May a pull request from `from` into `into` be merged? A branch of the first stage takes PRs from any
 * branch that is not itself a stage branch (experiment/*, feature branches); a later stage's branch
 * only from the branch of the stage just before it. Branches outside the flow are not governed.
 */
export function checkPullRequest(flow: BranchFlow, from: string, into: string): PrVerdict {
  const source = shortBranch(from);
  const target = shortBranch(into);
  const stage = stageOfBranch(flow, target);
  if (!stage) return { allowed: true, reason: `${target} is not a stage branch (mlops.yml \`branches:\`): not governed` };
  const prev = previousStage(flow, stage);
  const sourceStage = stageOfBranch(flow, source);
  if (!prev) {
    if (sourceStage) {
      return {
        allowed: false,
        stage,
        reason: `pull requests into ${target} (${stage}) must come from a feature or experiment branch, not from ${source} (the ${sourceStage} branch)`,
      };
    }
    return { allowed: true, stage, reason: `${source} -> ${target} (${stage}) is the normal flow` };
  }
  const allowedFrom = branchesOfStage(flow, prev);
  if (allowedFrom.includes(source)) return { allowed: true, stage, reason: `${source} (${prev}) -> ${target} (${stage}) is the normal flow` };
  const must = allowedFrom.length ? allowedFrom.join(' or ') : `the branch of stage ${prev} (none is mapped in mlops.yml \`branches:\`)`;
  return { allowed: false, stage, reason: `pull requests into ${target} (${stage}) must come from ${must}, not from ${source}` };
}

export type MergeAction =
  | { kind: 'register'; stage: string }
  | { kind: 'promote'; stage: string; from: string }
  | { kind: 'none' };

/** What a push to `branch` does: register a new version (first stage) or promote the previous stage's version. */
export function mergeAction(flow: BranchFlow, branch: string): MergeAction {
  const stage = stageOfBranch(flow, branch);
  if (!stage) return { kind: 'none' };
  const prev = previousStage(flow, stage);
  return prev ? { kind: 'promote', stage, from: prev } : { kind: 'register', stage };
}

/**
 * GTO's `.gto` file may restrict stages (`stages: [...]`); a stage we assign must then be allowed there
 * too, so `gto` users and our actions agree. Returns undefined when there is no such allow-list.
 */
export function gtoAllowedStages(cwd: string): string[] | undefined {
  const file = join(cwd, '.gto');
  if (!existsSync(file)) return undefined;
  const located = parseYaml<Record<string, unknown> | null>(readFileSync(file, 'utf8'), '.gto');
  const raw = located.value;
  if (!raw || typeof raw !== 'object') return undefined;
  const key = Object.keys(raw).find((k) => k.toLowerCase() === 'stages');
  const stages = key ? raw[key] : undefined;
  if (stages === undefined || stages === null) return undefined;
  if (!Array.isArray(stages) || !stages.every((s) => typeof s === 'string')) {
    throw new UserError('.gto: `stages` must be a list of stage names', { file: '.gto', line: located.lineOf([key!]), field: 'stages' });
  }
  return stages as string[];
}

/** Stage order from mlops.yml (or the default), checked against GTO's allow-list when one exists. */
export function stageFlow(cfg: BranchFlow | undefined, cwd?: string): BranchFlow & { gtoStages?: string[] } {
  const flow = cfg ? { stages: cfg.stages, branches: cfg.branches } : defaultFlow();
  const gtoStages = cwd ? gtoAllowedStages(cwd) : undefined;
  return gtoStages ? { ...flow, gtoStages } : flow;
}
