/**
 * GitHub's own OpenAPI description (@octokit/openapi, api.github.com) as a router and request validator.
 * Loaded once per process on first use (~0.5 s for 13 MB); validators are compiled per operation on
 * first use and cached. `nullable` is normalised to `anyOf [.., null]` once at load, because many of
 * GitHub's schemas put `nullable` beside no `type`, which strict JSON-schema validators reject.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

// ajv-formats is CommonJS; its default export arrives wrapped under ESM.
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule) as unknown as (a: Ajv) => Ajv;

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema?: object;
  'x-multi-segment'?: boolean;
  $ref?: string;
}

interface Operation {
  operationId: string;
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content?: Record<string, { schema?: object }> };
}

export interface Route {
  method: string;
  template: string;
  operationId: string;
  pathParams: string[];
  regex: RegExp;
  literals: number;
  greedy: number;
  op: Operation;
}

export interface Match {
  route: Route;
  params: Record<string, string>;
}

export interface Problem {
  where: 'path' | 'query' | 'body';
  message: string;
  field?: string;
  code: 'invalid' | 'missing_field' | 'unparseable';
}

interface Compiled {
  params?: ValidateFunction;
  query?: ValidateFunction;
  body?: ValidateFunction;
  bodyRequired: boolean;
  /** Scalar type of each path/query param, to turn its string into what the schema expects. */
  types: Record<string, string | undefined>;
}

export class GitHubOpenApi {
  readonly routes: Route[] = [];
  private readonly byOpId = new Map<string, Route>();
  private readonly doc: { paths: Record<string, Record<string, Operation>>; components: { parameters: Record<string, Parameter> } };
  private readonly ajv: Ajv;
  private readonly compiled = new Map<string, Compiled>();
  readonly loadMs: number;

  constructor(file: string) {
    const started = performance.now();
    this.doc = normaliseNullable(JSON.parse(readFileSync(file, 'utf8'))) as typeof this.doc;
    const opts = { strict: false, allErrors: true, validateSchema: false, logger: false } as const;
    // Not the whole document as one schema: Ajv walks every key of what it is given (about 1 s here).
    // Each operation's schemas are bundled with just the components they reference, on first use.
    this.ajv = new Ajv(opts);
    addFormats(this.ajv);
    for (const [template, item] of Object.entries(this.doc.paths)) {
      for (const [method, op] of Object.entries(item)) {
        if (!op || typeof op !== 'object' || !('operationId' in op)) continue;
        const params = (op.parameters ?? []).map((p) => this.param(p));
        const multi = new Set(params.filter((p) => p.in === 'path' && p['x-multi-segment']).map((p) => p.name));
        const pathParams: string[] = [];
        let literals = 0;
        let greedy = 0;
        const source = template
          .split('/')
          .map((seg) => {
            if (!seg.includes('{')) {
              if (seg) literals++;
              return seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
            }
            // A whole-segment param, or params inside a segment like {base}...{head}.
            const whole = /^\{([^}]+)\}$/.test(seg);
            return seg
              .split(/(\{[^}]+\})/)
              .map((part) => {
                const m = /^\{([^}]+)\}$/.exec(part);
                if (!m) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
                pathParams.push(m[1]!);
                if (multi.has(m[1]!)) {
                  greedy++;
                  return whole ? '(.+)' : '(.+?)';
                }
                return whole ? '([^/]+)' : '([^/]+?)';
              })
              .join('');
          })
          .join('/');
        const route: Route = {
          method: method.toUpperCase(),
          template,
          operationId: op.operationId,
          pathParams,
          regex: new RegExp(`^${source}/?$`),
          literals,
          greedy,
          op,
        };
        this.routes.push(route);
        this.byOpId.set(op.operationId, route);
      }
    }
    // Most specific first: more literal segments, then fewer params, then fewer multi-segment ones.
    this.routes.sort((a, b) => b.literals - a.literals || a.pathParams.length - b.pathParams.length || a.greedy - b.greedy);
    this.loadMs = performance.now() - started;
  }

  route(operationId: string): Route | undefined {
    return this.byOpId.get(operationId);
  }

  /** Find the operation for a method and raw (still percent-encoded) path. */
  match(method: string, rawPath: string): Match | undefined {
    const m = method === 'HEAD' ? 'GET' : method;
    for (const route of this.routes) {
      if (route.method !== m) continue;
      const r = route.regex.exec(rawPath);
      if (!r) continue;
      const params: Record<string, string> = {};
      let ok = true;
      route.pathParams.forEach((name, i) => {
        try {
          params[name] = decodeURIComponent(r[i + 1]!);
        } catch {
          ok = false;
        }
      });
      if (ok) return { route, params };
    }
    return undefined;
  }

  /** Problems with the path params, query and JSON body of a request for this operation. */
  validate(route: Route, params: Record<string, string>, query: Record<string, string | string[]>, body: unknown, hasBody: boolean): Problem[] {
    const c = this.compile(route);
    const problems: Problem[] = [];
    const collect = (where: Problem['where'], errors: ErrorObject[] | null | undefined) => {
      for (const e of errors ?? []) problems.push(toProblem(where, e));
    };
    if (c.params && !c.params(coerce(params, c.types))) collect('path', c.params.errors);
    if (c.query && !c.query(coerce(query, c.types))) collect('query', c.query.errors);
    if (c.body) {
      if (!hasBody) {
        if (c.bodyRequired) problems.push({ where: 'body', code: 'missing_field', message: 'a JSON request body is required' });
      } else if (!c.body(body)) collect('body', c.body.errors);
    }
    return problems;
  }

  private param(p: Parameter): Parameter {
    if (p.$ref) {
      const name = p.$ref.replace('#/components/parameters/', '');
      return this.doc.components.parameters[name]!;
    }
    return p;
  }

  /** Compile a schema together with the `#/components/...` schemas it reaches, as `definitions`. */
  private compileBundled(schema: object): ValidateFunction {
    const defs: Record<string, unknown> = {};
    const pending: string[] = [];
    const name = (ref: string) => ref.slice('#/components/'.length).replace(/\//g, '.');
    const rewrite = (o: unknown): unknown => {
      if (Array.isArray(o)) return o.map(rewrite);
      if (!o || typeof o !== 'object') return o;
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(o)) {
        if (k === '$ref' && typeof v === 'string' && v.startsWith('#/components/')) {
          if (!(name(v) in defs)) {
            defs[name(v)] = true;
            pending.push(v);
          }
          out[k] = `#/definitions/${name(v)}`;
        } else out[k] = rewrite(v);
      }
      return out;
    };
    const root = rewrite(schema);
    while (pending.length) {
      const ref = pending.pop()!;
      let target: unknown = this.doc;
      for (const part of ref.slice(2).split('/')) target = (target as Record<string, unknown>)[part.replace(/~1/g, '/').replace(/~0/g, '~')];
      defs[name(ref)] = rewrite(target);
    }
    return this.ajv.compile({ definitions: defs, allOf: [root] });
  }

  private compile(route: Route): Compiled {
    const key = `${route.method} ${route.template}`;
    let c = this.compiled.get(key);
    if (c) return c;
    const params = (route.op.parameters ?? []).map((p) => this.param(p));
    const objectSchema = (where: 'path' | 'query') => {
      const ps = params.filter((p) => p.in === where);
      if (ps.length === 0) return undefined;
      return this.compileBundled({
        type: 'object',
        properties: Object.fromEntries(ps.map((p) => [p.name, p.schema ?? {}])),
        required: ps.filter((p) => p.required).map((p) => p.name),
      });
    };
    const content = route.op.requestBody?.content ?? {};
    const mediaType = Object.keys(content).find((t) => t.includes('json'));
    c = {
      params: objectSchema('path'),
      query: objectSchema('query'),
      body: mediaType && content[mediaType]?.schema ? this.compileBundled(content[mediaType].schema) : undefined,
      types: Object.fromEntries(params.map((p) => [p.name, scalarType(p.schema)])),
      bodyRequired: route.op.requestBody?.required === true,
    };
    this.compiled.set(key, c);
    return c;
  }
}

/** Path and query values arrive as strings; convert the ones whose schema wants a number or boolean. */
function coerce(values: Record<string, string | string[]>, types: Record<string, string | undefined>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(values)) {
    const t = types[k];
    if (typeof v !== 'string' || !t) out[k] = v;
    else if ((t === 'integer' || t === 'number') && v.trim() !== '' && !Number.isNaN(Number(v))) out[k] = Number(v);
    else if (t === 'boolean' && (v === 'true' || v === 'false')) out[k] = v === 'true';
    else out[k] = v;
  }
  return out;
}

function scalarType(schema: object | undefined): string | undefined {
  const t = (schema as { type?: unknown } | undefined)?.type;
  return typeof t === 'string' ? t : undefined;
}

function toProblem(where: Problem['where'], e: ErrorObject): Problem {
  const path = e.instancePath.replace(/^\//, '').replace(/\//g, '.');
  if (e.keyword === 'required') {
    const field = [path, (e.params as { missingProperty: string }).missingProperty].filter(Boolean).join('.');
    return { where, field, code: 'missing_field', message: `"${field}" wasn't supplied.` };
  }
  const detail = e.keyword === 'enum' ? ` (${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')})` : '';
  return { where, field: path || undefined, code: 'invalid', message: `${where}${path ? ` ${path}` : ''} ${e.message ?? 'is invalid'}${detail}` };
}

function normaliseNullable(o: unknown): unknown {
  if (Array.isArray(o)) {
    for (let i = 0; i < o.length; i++) o[i] = normaliseNullable(o[i]);
    return o;
  }
  if (o && typeof o === 'object') {
    const rec = o as Record<string, unknown>;
    for (const k of Object.keys(rec)) rec[k] = normaliseNullable(rec[k]);
    if (rec.nullable === true) {
      const { nullable: _n, ...rest } = rec;
      return { anyOf: [rest, { type: 'null' }] };
    }
    if (rec.nullable === false) delete rec.nullable;
  }
  return o;
}

let shared: GitHubOpenApi | undefined;

/** The process-wide instance (lazily loaded). */
export function githubOpenApi(): GitHubOpenApi {
  if (!shared) {
    const require = createRequire(import.meta.url);
    shared = new GitHubOpenApi(require.resolve('@octokit/openapi/generated/api.github.com.json'));
  }
  return shared;
}
