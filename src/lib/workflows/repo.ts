/**
 * The parsed set of shipped files, indexed the way the checks look things up: actions by folder,
 * reusable workflows by path, with their declared inputs/outputs/secrets.
 */
import { messageOf, isUserError } from '../errors.js';
import {
  actionManifestPath,
  isActionFile,
  isTemplateWorkflow,
  isWorkflowFile,
  parseShipped,
  type FileMap,
  type ParsedFile,
} from './files.js';
import type { Finding } from './findings.js';
import { asObj, compositeScope, isObj, workflowEvents, workflowJobs, type Job, type Obj, type StepScope } from './model.js';

export interface InputDecl {
  required: boolean;
  hasDefault: boolean;
  type?: string;
}

export interface ActionInfo {
  dir: string;
  file: ParsedFile;
  inputs: Map<string, InputDecl>;
  outputs: Set<string>;
  composite?: StepScope;
}

export interface WorkflowInfo {
  file: ParsedFile;
  /** Files under action-templates/ are callers a user copies; the rest are ours. */
  template: boolean;
  events: Obj;
  jobs: Job[];
  /** workflow_call interface, when the workflow is reusable. */
  call?: { inputs: Map<string, InputDecl>; secrets: Map<string, InputDecl>; outputs: Map<string, Obj> };
  dispatchInputs: Set<string>;
}

export interface ShippedRepo {
  files: FileMap;
  actions: Map<string, ActionInfo>;
  workflows: Map<string, WorkflowInfo>;
  /** Syntax problems found while indexing. */
  findings: Finding[];
}

function declarations(node: unknown): Map<string, InputDecl> {
  const out = new Map<string, InputDecl>();
  for (const [name, raw] of Object.entries(asObj(node))) {
    const d = asObj(raw);
    out.set(name, { required: d.required === true, hasDefault: d.default !== undefined, type: typeof d.type === 'string' ? d.type : undefined });
  }
  return out;
}

export function indexRepo(files: FileMap): ShippedRepo {
  const repo: ShippedRepo = { files, actions: new Map(), workflows: new Map(), findings: [] };
  const parse = (path: string): ParsedFile | undefined => {
    try {
      return parseShipped(path, files.get(path)!);
    } catch (e) {
      const where = isUserError(e) ? e.line : undefined;
      repo.findings.push({ check: 'syntax', file: path, line: where, message: messageOf(e) });
      return undefined;
    }
  };
  for (const path of [...files.keys()].sort()) {
    if (isActionFile(path)) {
      const dir = path.slice(0, path.lastIndexOf('/'));
      if (actionManifestPath(files, dir) !== path) continue;
      const file = parse(path);
      if (!file) continue;
      const v = file.yaml.value;
      repo.actions.set(dir, {
        dir,
        file,
        inputs: declarations(v.inputs),
        outputs: new Set(Object.keys(asObj(v.outputs))),
        composite: compositeScope(file, dir),
      });
    } else if (isWorkflowFile(path) || isTemplateWorkflow(path, files.get(path)!)) {
      const file = parse(path);
      if (!file) continue;
      const events = workflowEvents(file);
      const call = isObj(events.workflow_call) || 'workflow_call' in events ? asObj(events.workflow_call) : undefined;
      repo.workflows.set(path, {
        file,
        template: !isWorkflowFile(path),
        events,
        jobs: workflowJobs(file),
        call: call && {
          inputs: declarations(call.inputs),
          secrets: declarations(call.secrets),
          outputs: new Map(Object.entries(asObj(call.outputs)).map(([k, v]) => [k, asObj(v)])),
        },
        dispatchInputs: new Set(Object.keys(asObj(asObj(events.workflow_dispatch).inputs))),
      });
    }
  }
  return repo;
}
