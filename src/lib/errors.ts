/**
 * An error the user can fix: bad input, bad config, a refused operation. The entry wrapper turns it
 * into one `::error` annotation (with file/line when known) and a non-zero exit, without a stack trace.
 * Anything that is not a UserError is a bug or an outage and is reported with its stack in debug.
 */
export interface ErrorLocation {
  file?: string;
  line?: number;
  col?: number;
  /** Dotted field name inside the file, e.g. `gates[0].min`. */
  field?: string;
}

export class UserError extends Error {
  readonly file?: string;
  readonly line?: number;
  readonly col?: number;
  readonly field?: string;

  constructor(message: string, where: ErrorLocation = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UserError';
    this.file = where.file;
    this.line = where.line;
    this.col = where.col;
    this.field = where.field;
  }

  /** `file:line: field: message`, the form the CLI prints. */
  describe(): string {
    const loc = this.file ? `${this.file}${this.line ? `:${this.line}` : ''}: ` : '';
    const field = this.field && !this.message.includes(this.field) ? `${this.field}: ` : '';
    return `${loc}${field}${this.message}`;
  }
}

export function isUserError(e: unknown): e is UserError {
  return e instanceof UserError;
}

/** Message of any thrown value, for wrapping. */
export function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
