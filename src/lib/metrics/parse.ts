/**
 * Parsing metrics and params files the way DVC does: the parser is picked by extension (.json, .toml,
 * .yaml/.yml; anything else is read as YAML, like DVC's LOADERS default), and nested keys are flattened
 * with `.` (list items by index) into one flat map per file.
 *
 * DVC writes metrics with Python's json module, which emits the non-standard tokens NaN, Infinity and
 * -Infinity. JSON.parse rejects them, so JSON goes through a small tolerant parser when JSON.parse fails;
 * that parser also gives the line and column of a real syntax error.
 */
import { extname } from 'node:path';
import { parse as parseToml, TomlError } from 'smol-toml';
import { UserError } from '../errors.js';
import { parseYaml } from '../yaml.js';

/** A leaf value of a metrics or params file. */
export type MetricValue = number | string | boolean | null;
export type FlatMetrics = Record<string, MetricValue>;

export function parseDataFile(text: string, file: string): unknown {
  const ext = extname(file).toLowerCase();
  if (ext === '.json') return parseJsonTolerant(text, file);
  if (ext === '.toml') {
    try {
      return parseToml(text);
    } catch (e) {
      if (e instanceof TomlError) {
        throw new UserError(`invalid TOML: ${e.message.split('\n')[0]}`, { file, line: e.line, col: e.column });
      }
      throw e;
    }
  }
  return parseYaml(text, file).value;
}

/** Flatten nested mappings and lists into `a.b.0.c` keys; leaves that are not scalars are dropped. */
export function flatten(value: unknown, prefix = '', out: FlatMetrics = {}): FlatMetrics {
  if (Array.isArray(value)) {
    value.forEach((v, i) => flatten(v, prefix ? `${prefix}.${i}` : String(i), out));
  } else if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else if (prefix) {
    if (value instanceof Date) out[prefix] = value.toISOString();
    else if (typeof value === 'bigint') out[prefix] = Number(value);
    else if (value === null || ['number', 'string', 'boolean'].includes(typeof value)) out[prefix] = value as MetricValue;
  } else if (value !== null && value !== undefined) {
    // A file holding a bare scalar: DVC shows it under an empty key; we name it after nothing.
    out[''] = value as MetricValue;
  }
  return out;
}

/** Parse a metrics/params file into its flat key map. Malformed content -> UserError with file and line. */
export function parseMetricsText(text: string, file: string): FlatMetrics {
  return flatten(parseDataFile(text, file));
}

// ---- tolerant JSON ---------------------------------------------------------------------------------

/** JSON plus Python's NaN / Infinity / -Infinity. Duplicate keys: the last wins, as in Python. */
export function parseJsonTolerant(text: string, file = 'input.json'): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return new TolerantJson(text, file).document();
  }
}

class TolerantJson {
  private i = 0;
  constructor(
    private readonly s: string,
    private readonly file: string,
  ) {}

  document(): unknown {
    if (this.s.charCodeAt(0) === 0xfeff) this.i = 1;
    this.ws();
    const v = this.value();
    this.ws();
    if (this.i < this.s.length) this.fail(`unexpected ${this.describe()} after the JSON value`);
    return v;
  }

  private fail(message: string): never {
    const before = this.s.slice(0, this.i);
    const line = before.split('\n').length;
    const col = this.i - before.lastIndexOf('\n');
    throw new UserError(`invalid JSON: ${message} at line ${line} column ${col}`, { file: this.file, line, col });
  }

  private describe(): string {
    return this.i >= this.s.length ? 'end of file' : `character ${JSON.stringify(this.s[this.i])}`;
  }

  private ws(): void {
    while (this.i < this.s.length && ' \t\r\n'.includes(this.s[this.i]!)) this.i++;
  }

  private word(w: string): boolean {
    if (this.s.startsWith(w, this.i)) {
      this.i += w.length;
      return true;
    }
    return false;
  }

  private value(): unknown {
    const c = this.s[this.i];
    if (c === '{') return this.object();
    if (c === '[') return this.array();
    if (c === '"') return this.string();
    if (this.word('true')) return true;
    if (this.word('false')) return false;
    if (this.word('null')) return null;
    if (this.word('NaN')) return NaN;
    if (this.word('Infinity')) return Infinity;
    if (this.word('-Infinity')) return -Infinity;
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(this.s.slice(this.i, this.i + 400));
    if (m && m[0] !== '-') {
      this.i += m[0].length;
      return Number(m[0]);
    }
    return this.fail(`unexpected ${this.describe()}, expected a value`);
  }

  private object(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    this.i++;
    this.ws();
    if (this.s[this.i] === '}') {
      this.i++;
      return out;
    }
    for (;;) {
      this.ws();
      if (this.s[this.i] !== '"') this.fail(`unexpected ${this.describe()}, expected a "key"`);
      const key = this.string();
      this.ws();
      if (this.s[this.i] !== ':') this.fail(`unexpected ${this.describe()}, expected ":"`);
      this.i++;
      this.ws();
      Object.defineProperty(out, key, { value: this.value(), enumerable: true, writable: true, configurable: true });
      this.ws();
      const c = this.s[this.i];
      this.i++;
      if (c === '}') return out;
      if (c !== ',') {
        this.i--;
        this.fail(`unexpected ${this.describe()}, expected "," or "}"`);
      }
    }
  }

  private array(): unknown[] {
    const out: unknown[] = [];
    this.i++;
    this.ws();
    if (this.s[this.i] === ']') {
      this.i++;
      return out;
    }
    for (;;) {
      this.ws();
      out.push(this.value());
      this.ws();
      const c = this.s[this.i];
      this.i++;
      if (c === ']') return out;
      if (c !== ',') {
        this.i--;
        this.fail(`unexpected ${this.describe()}, expected "," or "]"`);
      }
    }
  }

  private string(): string {
    const start = this.i;
    this.i++;
    while (this.i < this.s.length) {
      const c = this.s[this.i]!;
      if (c === '\\') this.i += 2;
      else if (c === '"') {
        this.i++;
        try {
          return JSON.parse(this.s.slice(start, this.i)) as string;
        } catch {
          this.i = start;
          this.fail('invalid string literal');
        }
      } else if (c === '\n') break;
      else this.i++;
    }
    this.i = start;
    return this.fail('unterminated string');
  }
}
