/**
 * A uniform view of workflows and composite actions for the contract and policy checks: step lists
 * (a job's or a composite's), the expressions written anywhere, and the references inside them
 * (`steps.<id>.outputs.<o>`, `needs.<job>.outputs.<o>`, `inputs.<x>`, `secrets.<x>`), each with the
 * YAML path of the string it came from so findings carry a line number.
 */
import type { ParsedFile } from './files.js';

export type YamlPath = (string | number)[];
export type Obj = Record<string, unknown>;

export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
export const asObj = (v: unknown): Obj => (isObj(v) ? v : {});

export interface Step {
  path: YamlPath;
  id?: string;
  uses?: string;
  run?: string;
  with: Obj;
  env: Obj;
}

/** A list of steps that share `steps.*` context: one job of a workflow, or one composite action. */
export interface StepScope {
  kind: 'job' | 'composite';
  /** Job id, or the action folder. */
  name: string;
  path: YamlPath;
  node: Obj;
  steps: Step[];
}

export interface Job {
  id: string;
  path: YamlPath;
  node: Obj;
  /** Reusable workflow reference when the job is a call (`jobs.<id>.uses`). */
  uses?: string;
  scope: StepScope;
}

function readSteps(list: unknown, base: YamlPath): Step[] {
  if (!Array.isArray(list)) return [];
  return list.map((raw, i) => {
    const s = asObj(raw);
    return {
      path: [...base, i],
      id: typeof s.id === 'string' ? s.id : undefined,
      uses: typeof s.uses === 'string' ? s.uses : undefined,
      run: typeof s.run === 'string' ? s.run : undefined,
      with: asObj(s.with),
      env: asObj(s.env),
    };
  });
}

export function workflowJobs(file: ParsedFile): Job[] {
  const jobs = asObj(file.yaml.value.jobs);
  return Object.entries(jobs).map(([id, raw]) => {
    const node = asObj(raw);
    const path: YamlPath = ['jobs', id];
    return {
      id,
      path,
      node,
      uses: typeof node.uses === 'string' ? node.uses : undefined,
      scope: { kind: 'job', name: id, path, node, steps: readSteps(node.steps, [...path, 'steps']) },
    };
  });
}

export function compositeScope(file: ParsedFile, name: string): StepScope | undefined {
  const runs = asObj(file.yaml.value.runs);
  if (runs.using !== 'composite') return undefined;
  // The whole file is the scope: the composite's `outputs:` read its steps' outputs too.
  return { kind: 'composite', name, path: [], node: file.yaml.value, steps: readSteps(runs.steps, ['runs', 'steps']) };
}

/** The `on:` events of a workflow as a mapping (string and list forms normalised). */
export function workflowEvents(file: ParsedFile): Obj {
  const on = file.yaml.value.on;
  if (typeof on === 'string') return { [on]: {} };
  if (Array.isArray(on)) return Object.fromEntries(on.map((e) => [String(e), {}]));
  return asObj(on);
}

/** Every string value under a node, with its path and the key it sits under. */
export function* strings(node: unknown, path: YamlPath): Generator<{ value: string; path: YamlPath; key?: string | number }> {
  if (typeof node === 'string') {
    yield { value: node, path, key: path[path.length - 1] };
  } else if (Array.isArray(node)) {
    for (const [i, v] of node.entries()) yield* strings(v, [...path, i]);
  } else if (isObj(node)) {
    for (const [k, v] of Object.entries(node)) yield* strings(v, [...path, k]);
  }
}

/** The expressions in a string: each `${{ ... }}` body; an `if:` value is an expression as a whole. */
export function expressionsIn(value: string, key?: string | number): string[] {
  const found = [...value.matchAll(/\$\{\{([\s\S]*?)\}\}/g)].map((m) => m[1]!);
  if (key === 'if' && found.length === 0) return [value];
  return found;
}

export interface Reference {
  context: 'steps' | 'needs' | 'jobs' | 'inputs' | 'secrets';
  /** Step id / job id for steps|needs|jobs; the name for inputs|secrets. */
  id: string;
  output?: string;
  path: YamlPath;
}

const ID = '[A-Za-z_][A-Za-z0-9_-]*';
// A context name must not be a property of something else (`github.event.inputs.x` is not `inputs.x`).
const OUTPUT_REF = new RegExp(`(?<![\\w.-])(steps|needs|jobs)\\.(${ID})\\.outputs\\.(${ID})`, 'g');
const NAME_REF = new RegExp(`(?<![\\w.-])(inputs|secrets)\\.(${ID})`, 'g');

/** References written in expressions anywhere under `node`. */
export function references(node: unknown, path: YamlPath): Reference[] {
  const out: Reference[] = [];
  for (const s of strings(node, path)) {
    for (const expr of expressionsIn(s.value, s.key)) {
      // String literals inside an expression are data, not references.
      const code = expr.replace(/'(?:[^']|'')*'/g, "''");
      for (const m of code.matchAll(OUTPUT_REF)) {
        out.push({ context: m[1] as Reference['context'], id: m[2]!, output: m[3]!, path: s.path });
      }
      for (const m of code.matchAll(NAME_REF)) out.push({ context: m[1] as Reference['context'], id: m[2]!, path: s.path });
    }
  }
  return out;
}
