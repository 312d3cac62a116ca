/**
 * Reading YAML with positions: syntax errors and schema errors point at file:line, which is what the
 * `::error file=,line=` annotations need. Every module that reads user YAML goes through here.
 */
import { isNode, LineCounter, parseDocument, type Document } from 'yaml';
import { UserError } from './errors.js';

export interface LocatedYaml<T = unknown> {
  value: T;
  doc: Document.Parsed;
  /** 1-based line of the node at a path like ['gates', 0, 'min'] (or its nearest existing parent). */
  lineOf(path: readonly (string | number)[]): number | undefined;
}

export function parseYaml<T = unknown>(text: string, file: string): LocatedYaml<T> {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const err = doc.errors[0];
  if (err) {
    const pos = lineCounter.linePos(err.pos[0]);
    throw new UserError(`invalid YAML: ${err.message.split('\n')[0]}`, { file, line: pos.line, col: pos.col });
  }
  const lineOf = (path: readonly (string | number)[]) => {
    for (let n = path.length; n >= 0; n--) {
      const node = doc.getIn(path.slice(0, n), true);
      if (isNode(node) && node.range) return lineCounter.linePos(node.range[0]).line;
    }
    return undefined;
  };
  return { value: doc.toJS({ maxAliasCount: 100 }) as T, doc, lineOf };
}

/** ajv-style `/a/0/b` pointer to a path array with numeric indexes. */
export function pointerToPath(pointer: string): (string | number)[] {
  if (!pointer) return [];
  return pointer
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((p) => (/^\d+$/.test(p) ? Number(p) : p));
}

/** `gates[0].min` from ['gates', 0, 'min'], the field names our messages use. */
export function fieldName(path: readonly (string | number)[]): string {
  return path.reduce<string>((acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${p}` : p), '');
}
