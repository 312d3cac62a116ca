/**
 * Our own contract check between the pieces we ship, stricter than the language service where it
 * matters to us: every `$/actions/x` exists, `with:` keys are declared inputs and required ones are
 * given, every referenced output is set by the step or job it names, and every caller of a reusable
 * workflow (ours or a template) passes only declared inputs/secrets and all required ones.
 */
import { actionManifestPath, localActionPath, localWorkflowPath } from './files.js';
import type { CheckId, Finding } from './findings.js';
import { asObj, references, type Obj, type Step, type StepScope, type YamlPath } from './model.js';
import type { ActionInfo, InputDecl, ShippedRepo, WorkflowInfo } from './repo.js';
import type { ParsedFile } from './files.js';

export function checkContracts(repo: ShippedRepo): Finding[] {
  const checker = new ContractChecker(repo);
  for (const action of repo.actions.values()) checker.composite(action);
  for (const wf of repo.workflows.values()) checker.workflow(wf);
  return checker.findings;
}

class ContractChecker {
  readonly findings: Finding[] = [];

  constructor(private readonly repo: ShippedRepo) {}

  private report(file: ParsedFile, path: YamlPath, check: CheckId, message: string): void {
    this.findings.push({ check, file: file.path, line: file.yaml.lineOf(path), message });
  }

  /** The local action a step uses (undefined for third-party ones); a missing one is a finding. */
  private resolveAction(file: ParsedFile, step: Step): ActionInfo | undefined {
    const dir = step.uses && localActionPath(step.uses);
    if (!dir) return undefined;
    const info = this.repo.actions.get(dir);
    if (!info || !actionManifestPath(this.repo.files, dir)) {
      this.report(file, [...step.path, 'uses'], 'action-exists', `${step.uses}: no ${dir}/action.yml in this repository`);
      return undefined;
    }
    return info;
  }

  /** `with:` (or `secrets:`) keys against what the callee declares. */
  private checkWith(file: ParsedFile, path: YamlPath, given: Obj, declared: Map<string, InputDecl>, what: string, kind: 'input' | 'secret'): void {
    for (const key of Object.keys(given)) {
      if (!declared.has(key)) {
        const known = [...declared.keys()].join(', ') || 'none';
        this.report(file, [...path, key], kind === 'input' ? 'unknown-input' : 'unknown-secret', `${what} has no ${kind} "${key}" (declared: ${known})`);
      }
    }
    for (const [key, d] of declared) {
      if (d.required && !d.hasDefault && !(key in given)) {
        this.report(file, path, 'required-input', `${what} requires ${kind} "${key}", which is not given`);
      }
    }
  }

  /** Inputs of the local actions used, and steps.<id>.outputs.<o> inside one job or composite. */
  private stepScope(file: ParsedFile, scope: StepScope): void {
    const byId = new Map(scope.steps.filter((s) => s.id).map((s) => [s.id!, s]));
    for (const step of scope.steps) {
      const action = this.resolveAction(file, step);
      if (action) this.checkWith(file, [...step.path, 'with'], step.with, action.inputs, step.uses!, 'input');
    }
    for (const ref of references(scope.node, scope.path)) {
      if (ref.context !== 'steps') continue;
      const step = byId.get(ref.id);
      if (!step) {
        this.report(file, ref.path, 'unknown-output', `steps.${ref.id}.outputs.${ref.output}: no step with id "${ref.id}" in ${scope.kind} ${scope.name}`);
        continue;
      }
      const action = step.uses ? this.repo.actions.get(localActionPath(step.uses) ?? '') : undefined;
      if (action && !action.outputs.has(ref.output!)) {
        this.report(
          file,
          ref.path,
          'unknown-output',
          `steps.${ref.id}.outputs.${ref.output}: ${step.uses} has no output "${ref.output}" (outputs: ${[...action.outputs].join(', ') || 'none'})`,
        );
      }
      // A run step sets outputs by writing NAME=... or NAME<<DELIM to GITHUB_OUTPUT.
      if (step.run !== undefined && !new RegExp(`(^|[^\\w-]|\\\\n)${ref.output!.replace(/[-]/g, '\\-')}(=|<<)`).test(step.run)) {
        this.report(file, ref.path, 'unknown-output', `steps.${ref.id}.outputs.${ref.output}: the run step "${ref.id}" never writes "${ref.output}" to GITHUB_OUTPUT`);
      }
    }
  }

  composite(action: ActionInfo): void {
    if (!action.composite) return;
    this.stepScope(action.file, action.composite);
    for (const ref of references(action.file.yaml.value, [])) {
      if (ref.context === 'inputs' && !action.inputs.has(ref.id)) {
        this.report(action.file, ref.path, 'unknown-context', `inputs.${ref.id}: ${action.dir}/action.yml declares no input "${ref.id}"`);
      }
    }
  }

  workflow(wf: WorkflowInfo): void {
    const { file } = wf;
    const jobs = new Map(wf.jobs.map((j) => [j.id, j]));
    // Outputs each job exposes: its own `outputs:`, or the called workflow's workflow_call outputs.
    const jobOutputs = new Map<string, Set<string> | undefined>();
    for (const job of wf.jobs) {
      if (job.uses) {
        const target = localWorkflowPath(job.uses);
        const called = target ? this.repo.workflows.get(target) : undefined;
        if (target && !called) {
          this.report(file, [...job.path, 'uses'], 'action-exists', `${job.uses}: no ${target} in this repository`);
        }
        if (called && !called.call) {
          this.report(file, [...job.path, 'uses'], 'action-exists', `${job.uses}: ${target} has no "on: workflow_call" trigger`);
        }
        if (called?.call) {
          this.checkWith(file, [...job.path, 'with'], asObj(job.node.with), called.call.inputs, target!, 'input');
          if (job.node.secrets !== 'inherit') {
            this.checkWith(file, [...job.path, 'secrets'], asObj(job.node.secrets), called.call.secrets, target!, 'secret');
          }
        }
        jobOutputs.set(job.id, called?.call ? new Set(called.call.outputs.keys()) : undefined);
      } else {
        jobOutputs.set(job.id, new Set(Object.keys(asObj(job.node.outputs))));
        this.stepScope(file, job.scope);
      }
    }

    const onlyCall = wf.call && Object.keys(wf.events).every((e) => e === 'workflow_call');
    const declaredInputs = new Set([...(wf.call?.inputs.keys() ?? []), ...wf.dispatchInputs]);
    for (const ref of references(file.yaml.value, [])) {
      if (ref.context === 'needs' || ref.context === 'jobs') {
        const job = jobs.get(ref.id);
        const outs = jobOutputs.get(ref.id);
        if (!job) {
          this.report(file, ref.path, 'unknown-output', `${ref.context}.${ref.id}.outputs.${ref.output}: no job "${ref.id}"`);
        } else if (outs && !outs.has(ref.output!)) {
          this.report(file, ref.path, 'unknown-output', `${ref.context}.${ref.id}.outputs.${ref.output}: job "${ref.id}" has no output "${ref.output}" (outputs: ${[...outs].join(', ') || 'none'})`);
        }
        if (ref.context === 'needs' && job) {
          const owner = ref.path[0] === 'jobs' ? jobs.get(String(ref.path[1])) : undefined;
          const needs = owner ? [owner.node.needs].flat().filter((n): n is string => typeof n === 'string') : [];
          if (owner && !needs.includes(ref.id)) {
            this.report(file, ref.path, 'unknown-output', `needs.${ref.id}.outputs.${ref.output}: job "${owner.id}" does not list "${ref.id}" in needs:`);
          }
        }
      } else if (ref.context === 'inputs' && (wf.call || wf.dispatchInputs.size) && !declaredInputs.has(ref.id)) {
        this.report(file, ref.path, 'unknown-context', `inputs.${ref.id}: the workflow declares no input "${ref.id}"`);
      } else if (ref.context === 'secrets' && onlyCall && ref.id !== 'GITHUB_TOKEN' && !wf.call!.secrets.has(ref.id)) {
        // Secrets of other triggers are repository secrets, unknowable here.
        this.report(file, ref.path, 'unknown-context', `secrets.${ref.id}: workflow_call declares no secret "${ref.id}"`);
      }
    }
  }
}
