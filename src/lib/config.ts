/**
 * mlops.yml: the one file a repo owner writes. Validated with a JSON schema so that every mistake
 * (unknown key, wrong type, bad stage name) is reported with file, line and field before anything runs.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { UserError } from './errors.js';
import { fieldName, parseYaml, pointerToPath, type LocatedYaml } from './yaml.js';

export const CONFIG_FILE = 'mlops.yml';
export const DEFAULT_STAGES = ['dev', 'staging', 'production'] as const;
export const DEFAULT_BRANCHES: Record<string, string> = { main: 'dev', staging: 'staging', production: 'production' };

/** A bound relative to the baseline: an absolute number, or a percentage string like "2%". */
export type Delta = number | `${number}%`;

export interface GateRule {
  metric: string;
  /** Metrics file the key is read from; default: any configured metrics file that has it. */
  file?: string;
  min?: number;
  max?: number;
  max_drop?: Delta;
  max_increase?: Delta;
  /** Which way is better; decides what a "drop" is. Default higher. */
  direction?: 'higher' | 'lower';
}

export type PlotEntry = string | Record<string, PlotProps | null>;
export interface PlotProps {
  x?: string | Record<string, string>;
  y?: string | string[] | Record<string, string | string[]>;
  template?: string;
  title?: string;
  x_label?: string;
  y_label?: string;
}

export interface ImageConfig {
  name: string;
  context?: string;
  dockerfile?: string;
  /** oci mode: base image reference and paths appended as layers (`src[:dest]`). */
  base?: string;
  add?: string[];
  platform?: string;
}

export type GitopsFormat = 'kustomize' | 'helm' | 'argocd' | 'flux';

export interface EnvironmentConfig {
  /** owner/name of the GitOps repository; default: this repository. */
  repo?: string;
  path: string;
  format?: GitopsFormat;
  /** Branch of the GitOps repo to change; default: its default branch. */
  branch?: string;
  /** direct commit or pull request; production defaults to pr. */
  mode?: 'direct' | 'pr';
  /** Image name as written in the file when it differs from image.name (kustomize `name`). */
  image_name?: string;
  /** Argo CD application name (for .argocd-source-<app>.yaml) or app label for the bump branch. */
  app?: string;
  /** Helm values paths. */
  helm?: { repository?: string; tag?: string; digest?: string };
  /** Create the image entry when absent (kustomize). */
  create?: boolean;
}

export interface MlopsConfig {
  artifact: string;
  stages: string[];
  branches: Record<string, string>;
  metrics?: string[];
  params?: string[];
  gates: GateRule[];
  plots?: PlotEntry[];
  image?: ImageConfig;
  environments: Record<string, EnvironmentConfig>;
}

const NAME = '^[a-zA-Z0-9]([a-zA-Z0-9-/_]*[a-zA-Z0-9])?$';
// GTO: an optional `dirname:` prefix before the artifact name.
const ARTIFACT = '^([a-zA-Z0-9-_./]+:)?[a-zA-Z0-9]([a-zA-Z0-9-/_]*[a-zA-Z0-9])?$';
const delta = { oneOf: [{ type: 'number', minimum: 0 }, { type: 'string', pattern: '^[0-9]+(\\.[0-9]+)?%$' }] };

const gateSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['metric'],
  properties: {
    metric: { type: 'string', minLength: 1 },
    file: { type: 'string', minLength: 1 },
    min: { type: 'number' },
    max: { type: 'number' },
    max_drop: delta,
    max_increase: delta,
    direction: { enum: ['higher', 'lower'] },
  },
};

const plotProps = {
  type: ['object', 'null'],
  additionalProperties: false,
  properties: {
    x: { oneOf: [{ type: 'string' }, { type: 'object', additionalProperties: { type: 'string' } }] },
    y: {
      oneOf: [
        { type: 'string' },
        { type: 'array', items: { type: 'string' } },
        { type: 'object', additionalProperties: { oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] } },
      ],
    },
    template: { type: 'string' },
    title: { type: 'string' },
    x_label: { type: 'string' },
    y_label: { type: 'string' },
  },
};

export const configSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['artifact'],
  properties: {
    artifact: { type: 'string', pattern: ARTIFACT },
    stages: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string', pattern: NAME } },
    branches: { type: 'object', additionalProperties: { type: 'string', pattern: NAME } },
    metrics: { type: 'array', items: { type: 'string', minLength: 1 } },
    params: { type: 'array', items: { type: 'string', minLength: 1 } },
    gates: { type: 'array', items: gateSchema },
    plots: {
      type: 'array',
      items: { oneOf: [{ type: 'string' }, { type: 'object', minProperties: 1, maxProperties: 1, additionalProperties: plotProps }] },
    },
    image: {
      type: 'object',
      additionalProperties: false,
      required: ['name'],
      properties: {
        name: { type: 'string', minLength: 1 },
        context: { type: 'string' },
        dockerfile: { type: 'string' },
        base: { type: 'string' },
        add: { type: 'array', items: { type: 'string' } },
        platform: { type: 'string', pattern: '^[a-z0-9]+/[a-z0-9]+(/[a-z0-9]+)?$' },
      },
    },
    environments: {
      type: 'object',
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        required: ['path'],
        properties: {
          repo: { type: 'string', pattern: '^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$' },
          path: { type: 'string', minLength: 1 },
          format: { enum: ['kustomize', 'helm', 'argocd', 'flux'] },
          branch: { type: 'string', minLength: 1 },
          mode: { enum: ['direct', 'pr'] },
          image_name: { type: 'string', minLength: 1 },
          app: { type: 'string', minLength: 1 },
          create: { type: 'boolean' },
          helm: {
            type: 'object',
            additionalProperties: false,
            properties: { repository: { type: 'string' }, tag: { type: 'string' }, digest: { type: 'string' } },
          },
        },
      },
    },
  },
} as const;

// Compiled on first use, not at import: compiling the schemas costs ~0.1 s of every cold start (every
// CLI command and action loads this module), and most runs read no mlops.yml or inline rules.
let validators: { config: ValidateFunction; gates: ValidateFunction } | undefined;
function validatorsOf(): { config: ValidateFunction; gates: ValidateFunction } {
  if (!validators) {
    const ajv = new Ajv({ allErrors: true, strict: false });
    validators = { config: ajv.compile(configSchema), gates: ajv.compile({ type: 'array', items: gateSchema }) };
  }
  return validators;
}

function schemaError(errors: ErrorObject[], located: LocatedYaml, file: string, prefix: (string | number)[] = []): UserError {
  // Prefer the most specific error: the deepest path, and not the generic oneOf summary.
  const sorted = [...errors].sort((a, b) => b.instancePath.length - a.instancePath.length || Number(a.keyword === 'oneOf') - Number(b.keyword === 'oneOf'));
  const e = sorted[0]!;
  const path = pointerToPath(e.instancePath);
  let linePath = path;
  let message: string;
  if (e.keyword === 'additionalProperties') {
    const key = (e.params as { additionalProperty: string }).additionalProperty;
    linePath = [...path, key];
    message = `unknown key "${key}"`;
  } else if (e.keyword === 'required') {
    message = `missing required key "${(e.params as { missingProperty: string }).missingProperty}"`;
  } else if (e.keyword === 'enum') {
    message = `must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
  } else if (e.keyword === 'pattern') {
    message = `invalid value ${JSON.stringify(e.data)} (expected to match ${(e.params as { pattern: string }).pattern})`;
  } else {
    message = e.message ?? 'invalid value';
  }
  const field = fieldName([...prefix, ...path]) || '(root)';
  return new UserError(`${field}: ${message}`, { file, line: located.lineOf(linePath), field });
}

/** Parse and validate mlops.yml text; defaults filled in. */
export function parseConfig(text: string, file = CONFIG_FILE): MlopsConfig {
  const located = parseYaml<unknown>(text, file);
  const raw = located.value ?? {};
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new UserError('expected a mapping at the top level', { file, line: 1 });
  const validateConfig = validatorsOf().config;
  if (!validateConfig(raw)) throw schemaError(validateConfig.errors ?? [], located, file);
  const cfg = raw as Partial<MlopsConfig> & { artifact: string };
  const stages = cfg.stages ?? [...DEFAULT_STAGES];
  const branches = cfg.branches ?? DEFAULT_BRANCHES;
  for (const [branch, stage] of Object.entries(branches)) {
    if (!stages.includes(stage)) {
      throw new UserError(`branches.${branch}: stage "${stage}" is not in stages [${stages.join(', ')}]`, {
        file,
        line: located.lineOf(['branches', branch]),
        field: `branches.${branch}`,
      });
    }
  }
  const environments = cfg.environments ?? {};
  for (const env of Object.keys(environments)) {
    if (!stages.includes(env)) {
      throw new UserError(`environments.${env}: "${env}" is not a stage (stages: ${stages.join(', ')})`, {
        file,
        line: located.lineOf(['environments', env]),
        field: `environments.${env}`,
      });
    }
  }
  for (const [i, g] of (cfg.gates ?? []).entries()) {
    if (g.min === undefined && g.max === undefined && g.max_drop === undefined && g.max_increase === undefined) {
      throw new UserError(`gates[${i}]: rule for "${g.metric}" has no bound (min, max, max_drop or max_increase)`, {
        file,
        line: located.lineOf(['gates', i]),
        field: `gates[${i}]`,
      });
    }
  }
  return { ...cfg, stages, branches, gates: cfg.gates ?? [], environments } as MlopsConfig;
}

/** Gate rules given inline (the metric-gate `rules` input), same shape as mlops.yml `gates:`. */
export function parseGateRules(text: string, file = 'rules input'): GateRule[] {
  const located = parseYaml<unknown>(text, file);
  const raw = located.value ?? [];
  const validateGates = validatorsOf().gates;
  if (!validateGates(raw)) throw schemaError(validateGates.errors ?? [], located, file, ['rules']);
  return raw as GateRule[];
}

/** Read mlops.yml from a repo folder. Missing file -> undefined unless required. */
export function loadConfig(cwd: string, file = CONFIG_FILE, opts: { required?: boolean } = {}): MlopsConfig | undefined {
  const path = join(cwd, file);
  if (!existsSync(path)) {
    if (opts.required) throw new UserError(`${file} not found in ${cwd}: create it (see action-templates/mlops.yml) or pass config-path`, { file });
    return undefined;
  }
  return parseConfig(readFileSync(path, 'utf8'), file);
}

/** The stage a branch deploys to, if any. */
export function stageOfBranch(cfg: Pick<MlopsConfig, 'branches'>, branch: string): string | undefined {
  return cfg.branches[branch.replace(/^refs\/heads\//, '')];
}
