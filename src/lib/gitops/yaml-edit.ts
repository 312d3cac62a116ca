/**
 * Byte-exact YAML edits. The `yaml` package parses the file (with every node's source range);
 * edits are then splices of the original text at those ranges, so comments, key order, quoting,
 * blank lines, indentation and flow/block style outside the changed scalars stay as they were.
 * Dumping a re-serialised Document would normalise all of those, which a GitOps diff must not do.
 */
import { isMap, isScalar, LineCounter, parse, parseAllDocuments, Scalar, type Document, type Node, type Pair, type YAMLMap, type YAMLSeq } from 'yaml';
import { UserError } from '../errors.js';

interface Splice {
  start: number;
  end: number;
  text: string;
}

/** Nested keys to add in one go, leaves already rendered: {image: {tag: '"1.10"'}}. */
export interface Tree {
  [key: string]: string | Tree;
}

/** A YAML file opened for editing: find nodes through `docs`, then call the edit methods. */
export class YamlEditor {
  readonly docs: Document.Parsed[];
  private readonly lines = new LineCounter();
  private readonly splices: Splice[] = [];
  readonly eol: string;

  constructor(
    readonly text: string,
    readonly file: string,
  ) {
    // An empty text parses to an empty stream: no documents.
    this.docs = [...parseAllDocuments(text, { lineCounter: this.lines, prettyErrors: false, uniqueKeys: true })] as Document.Parsed[];
    for (const doc of this.docs) {
      const err = doc.errors[0];
      if (err) {
        throw new UserError(`invalid YAML: ${err.message.split('\n')[0]}; fix the file before bumping`, {
          file,
          line: this.lineOf(err.pos[0]),
        });
      }
    }
    this.eol = text.includes('\r\n') ? '\r\n' : '\n';
  }

  /** The top node of a file that must hold one document (kustomization, values, argocd-source); null when empty. */
  get root(): Node | null {
    const docs = this.docs.filter((d) => d.contents !== null);
    if (docs.length > 1) throw new UserError(`expected one YAML document, found ${docs.length}`, { file: this.file, line: this.lineOf(docs[1]!.range[0]) });
    return (docs[0]?.contents as Node | undefined) ?? null;
  }

  lineOf(offset: number): number {
    return this.lines.linePos(offset).line;
  }

  lineOfNode(node: { range?: [number, number, number] | null } | null | undefined): number | undefined {
    return node?.range ? this.lineOf(node.range[0]) : undefined;
  }

  fail(message: string, node?: { range?: [number, number, number] | null } | null, field?: string): UserError {
    return new UserError(message, { file: this.file, line: this.lineOfNode(node), field });
  }

  /** A string value of a map entry, or undefined; a non-scalar there is an error naming the line. */
  stringAt(map: YAMLMap, key: string): string | undefined {
    const node = map.get(key, true) as Node | undefined;
    if (node === undefined || node === null) return undefined;
    if (!isScalar(node)) throw this.fail(`"${key}" must be a string`, node, key);
    return node.value === null ? undefined : String(node.value);
  }

  /**
   * Replace a scalar's source with `value`, keeping its quoting style when the value allows.
   * Returns whether the text changes.
   */
  setScalar(node: Scalar, value: string): boolean {
    if (!node.range) throw new Error('scalar without source range');
    if (node.type === Scalar.BLOCK_LITERAL || node.type === Scalar.BLOCK_FOLDED) {
      throw this.fail(`the value at this line is a block scalar (| or >); write it as a plain or quoted string to let it be bumped`, node);
    }
    if (node.value !== null && String(node.value) === value && typeof node.value === 'string') return false;
    const [start, end] = node.range;
    const text = renderScalar(value, node.type);
    if (this.text.slice(start, end) === text) return false;
    this.splices.push({ start, end, text: start === end ? ` ${text}` : text });
    return true;
  }

  /** Add `key: value` (value already rendered, or a tree of new keys) at the end of a map. */
  insertPair(map: YAMLMap, key: string, value: string | Tree): void {
    if (map.flow || map.items.length === 0) {
      if (typeof value !== 'string') value = flowTree(value);
      const close = this.findClose(map, '}');
      const sep = map.items.length ? ', ' : '';
      this.splices.push({ start: close, end: close, text: `${sep}${renderKey(key)}: ${value}` });
      return;
    }
    const first = map.items[0]!.key as Node;
    const indent = this.column(first.range![0]);
    const at = this.afterLastLine(map);
    const body =
      typeof value === 'string'
        ? `${' '.repeat(indent)}${renderKey(key)}: ${value}${this.eol}`
        : `${' '.repeat(indent)}${renderKey(key)}:${this.eol}${blockTree(value, indent + 2, this.eol)}`;
    this.splices.push({ start: at.offset, end: at.offset, text: (at.needsEol ? this.eol : '') + body });
  }

  /** Remove one entry of a map, with its line(s) in block style. */
  removePair(map: YAMLMap, pair: Pair): void {
    const idx = map.items.indexOf(pair);
    const key = pair.key as Node;
    const keyStart = key.range![0];
    if (map.flow) {
      const valueEnd = ((pair.value as Node | null)?.range ?? key.range!)[1];
      if (idx > 0) {
        const prevEnd = valueEndOf(map.items[idx - 1]!);
        this.splices.push({ start: prevEnd, end: valueEnd, text: '' });
      } else if (map.items.length > 1) {
        const nextStart = (map.items[1]!.key as Node).range![0];
        this.splices.push({ start: keyStart, end: nextStart, text: '' });
      } else {
        this.splices.push({ start: keyStart, end: valueEnd, text: '' });
      }
      return;
    }
    const lineStart = this.text.lastIndexOf('\n', keyStart - 1) + 1;
    const ownLine = /^[ \t]*$/.test(this.text.slice(lineStart, keyStart));
    if (idx < map.items.length - 1) {
      const nextKey = (map.items[idx + 1]!.key as Node).range![0];
      // `- digest: x` opening a sequence item: pull the next key up behind the dash instead.
      this.splices.push(ownLine ? { start: lineStart, end: this.lineEndAfter(valueEndOf(pair)), text: '' } : { start: keyStart, end: nextKey, text: '' });
    } else if (ownLine) {
      this.splices.push({ start: lineStart, end: this.lineEndAfter(valueEndOf(pair)), text: '' });
    } else {
      throw this.fail(`cannot remove "${String((key as Scalar).value)}": it is the only entry of its item`, key);
    }
  }

  /** Append an item to a sequence. `fields` become a map item; a string becomes a scalar item. */
  appendItem(seq: YAMLSeq, item: string | [string, string][]): void {
    if (seq.flow || seq.items.length === 0) {
      const close = this.findClose(seq, ']');
      const sep = seq.items.length ? ', ' : '';
      const text = typeof item === 'string' ? item : `{${item.map(([k, v]) => `${renderKey(k)}: ${v}`).join(', ')}}`;
      this.splices.push({ start: close, end: close, text: `${sep}${text}` });
      return;
    }
    const firstItem = seq.items[0] as Node;
    const contentCol = this.column(firstItem.range![0]);
    const dashAt = this.text.lastIndexOf('-', firstItem.range![0] - 1);
    const dashCol = this.column(dashAt);
    const at = this.afterLastLine(seq);
    const lead = `${' '.repeat(dashCol)}-${' '.repeat(Math.max(1, contentCol - dashCol - 1))}`;
    let body: string;
    if (typeof item === 'string') body = `${lead}${item}${this.eol}`;
    else {
      const pad = ' '.repeat(dashCol + lead.length - dashCol);
      body = item.map(([k, v], i) => `${i === 0 ? lead : pad}${renderKey(k)}: ${v}${this.eol}`).join('');
    }
    this.splices.push({ start: at.offset, end: at.offset, text: (at.needsEol ? this.eol : '') + body });
  }

  /**
   * Give `key` a block list: a new `key:` at the end of `map` (or of the document when there is no
   * map yet), or the empty value of an existing `key:` line. Items are scalars (rendered) or maps.
   */
  addBlockSeq(map: YAMLMap | null, key: string, items: (string | [string, string][])[], seqIndent = 0): void {
    const pad = ' '.repeat(seqIndent);
    const body = items.flatMap((item) =>
      typeof item === 'string'
        ? [`${pad}- ${item}`]
        : item.map(([k, v], i) => `${pad}${i === 0 ? '- ' : '  '}${renderKey(k)}: ${v}`),
    );
    const existing = map ? (map.get(key, true) as Node | undefined) : undefined;
    if (existing !== undefined && existing !== null) {
      if (!isScalar(existing) || existing.value !== null) throw this.fail(`"${key}" must be a list`, existing, key);
      const keyNode = map!.items.find((p) => isScalar(p.key) && p.key.value === key)!.key as Node;
      const indent = this.column(keyNode.range![0]);
      const lineEnd = this.lineEndAfter(keyNode.range![1]);
      const hasEol = this.text.slice(0, lineEnd).endsWith('\n');
      // A trailing comment on the `key:` line stays there; the list starts on the next line.
      this.splices.push({ start: lineEnd, end: lineEnd, text: (hasEol ? '' : this.eol) + body.map((l) => `${' '.repeat(indent)}${l}${this.eol}`).join('') });
      return;
    }
    this.insertBlock(map, key, body, 0);
  }

  /**
   * Add `key:` followed by `body` lines at the end of a block map (or at the end of the document when
   * `map` is null). Body lines are relative to the key's column plus `childIndent`.
   */
  insertBlock(map: YAMLMap | null, key: string, body: string[], childIndent = 2): void {
    if (map?.flow) throw this.fail(`cannot add "${key}" to a flow-style mapping; add it by hand first`, map);
    const first = map?.items[0]?.key as Node | undefined;
    const indent = first?.range ? this.column(first.range[0]) : 0;
    const at = map && map.items.length ? this.afterLastLine(map) : { offset: this.text.length, needsEol: this.text.length > 0 && !this.text.endsWith('\n') };
    const ind = ' '.repeat(indent);
    const child = ' '.repeat(indent + childIndent);
    const text = `${ind}${renderKey(key)}:${this.eol}${body.map((l) => `${child}${l}${this.eol}`).join('')}`;
    this.splices.push({ start: at.offset, end: at.offset, text: (at.needsEol ? this.eol : '') + text });
  }

  get changed(): boolean {
    return this.splices.length > 0;
  }

  /** The edited text. It is parsed again, so an edit can never hand back a file that no longer parses. */
  result(): string {
    // Right to left, so earlier offsets stay valid; two inserts at one offset keep their call order.
    const sorted = this.splices.map((s, seq) => ({ ...s, seq })).sort((a, b) => b.start - a.start || b.end - a.end || b.seq - a.seq);
    let out = this.text;
    for (const s of sorted) out = out.slice(0, s.start) + s.text + out.slice(s.end);
    if (out !== this.text) {
      const check = parseAllDocuments(out, { uniqueKeys: true });
      const docs = Array.isArray(check) ? check : [];
      const err = docs.flatMap((d) => d.errors)[0];
      if (err) throw new Error(`internal error: the edit of ${this.file} produced invalid YAML (${err.message.split('\n')[0]})`);
    }
    return out;
  }

  private column(offset: number): number {
    return offset - (this.text.lastIndexOf('\n', offset - 1) + 1);
  }

  /** Offset just past the newline of the line holding `offset` (or the end of the text). */
  private lineEndAfter(offset: number): number {
    const nl = this.text.indexOf('\n', offset);
    return nl < 0 ? this.text.length : nl + 1;
  }

  /** Where a new last line of a block collection goes: after the line its last content ends on. */
  private afterLastLine(coll: YAMLMap | YAMLSeq): { offset: number; needsEol: boolean } {
    let end = coll.range![1];
    while (end > 0 && /\s/.test(this.text[end - 1]!)) end--;
    // A trailing comment on the last line belongs to that line; move past it.
    const nl = this.text.indexOf('\n', end);
    if (nl < 0) return { offset: this.text.length, needsEol: true };
    return { offset: nl + 1, needsEol: false };
  }

  private findClose(coll: YAMLMap | YAMLSeq, ch: '}' | ']'): number {
    const end = coll.range![1];
    const at = this.text.lastIndexOf(ch, end);
    if (at < coll.range![0]) throw this.fail(`cannot edit this ${ch === '}' ? 'mapping' : 'list'}: unexpected layout`, coll);
    return at;
  }
}

function blockTree(tree: Tree, indent: number, eol: string): string {
  return Object.entries(tree)
    .map(([k, v]) =>
      typeof v === 'string' ? `${' '.repeat(indent)}${renderKey(k)}: ${v}${eol}` : `${' '.repeat(indent)}${renderKey(k)}:${eol}${blockTree(v, indent + 2, eol)}`,
    )
    .join('');
}

function flowTree(tree: Tree): string {
  return `{${Object.entries(tree)
    .map(([k, v]) => `${renderKey(k)}: ${typeof v === 'string' ? v : flowTree(v)}`)
    .join(', ')}}`;
}

function valueEndOf(pair: Pair): number {
  const node = (pair.value as Node | null) ?? (pair.key as Node);
  return node.range![1];
}

function renderKey(key: string): string {
  return plainSafe(key) ? key : JSON.stringify(key);
}

/**
 * A value may be written plain when every YAML reader takes it back as the same string: the YAML
 * 1.2 core schema (kustomize, Argo CD) and YAML 1.1 (Helm's go-yaml reads `yes`, `0755`, `1_0`
 * differently). Tags like `1.10` or `true` are therefore quoted.
 */
export function plainSafe(value: string): boolean {
  if (!/^[A-Za-z0-9_./+=-][A-Za-z0-9_./@:+=-]*$/.test(value) || value.endsWith(':')) return false;
  try {
    return parse(value) === value && parse(value, { version: '1.1' }) === value;
  } catch {
    return false;
  }
}

/** Render `value` in the style of the scalar it replaces (plain when that stays the same string). */
export function renderScalar(value: string, style?: Scalar.Type | string | null): string {
  if (style === Scalar.QUOTE_SINGLE) return `'${value.replace(/'/g, "''")}'`;
  if (style === Scalar.QUOTE_DOUBLE) return JSON.stringify(value);
  return plainSafe(value) ? value : JSON.stringify(value);
}

/** Walk maps along `path`; returns the deepest map reached and the remaining keys. */
export function walkMaps(root: unknown, path: string[]): { map: YAMLMap | undefined; node: Node | undefined; missing: string[] } {
  let current: unknown = root;
  let parent: YAMLMap | undefined;
  for (let i = 0; i < path.length; i++) {
    if (!isMap(current)) return { map: parent, node: current as Node | undefined, missing: path.slice(i) };
    parent = current;
    const next = current.get(path[i]!, true);
    if (next === undefined) return { map: current, node: undefined, missing: path.slice(i) };
    current = next;
  }
  return { map: parent, node: current as Node, missing: [] };
}

