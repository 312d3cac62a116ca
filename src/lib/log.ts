/**
 * A logger interface lib code writes to, so the same functions serve the action (runner log) and the
 * CLI (stderr). The action entry installs the runner-backed logger; the default writes to stderr.
 */
export interface Logger {
  info(message: string): void;
  debug(message: string): void;
  warning(message: string, where?: { file?: string; line?: number }): void;
}

const secrets = new Set<string>();

/** Remember a value that must never appear in output we produce ourselves (the runner masks its own). */
export function registerSecret(value: string | undefined): void {
  if (value && value.length >= 4) secrets.add(value);
}

export function redactSecrets(text: string): string {
  let out = text;
  for (const s of secrets) out = out.split(s).join('***');
  return out;
}

export const stderrLogger: Logger = {
  info: (m) => process.stderr.write(`${redactSecrets(m)}\n`),
  debug: (m) => {
    if (process.env.MLOPS_DEBUG) process.stderr.write(`debug: ${redactSecrets(m)}\n`);
  },
  warning: (m, where) =>
    process.stderr.write(`warning: ${where?.file ? `${where.file}${where.line ? `:${where.line}` : ''}: ` : ''}${redactSecrets(m)}\n`),
};

export const silentLogger: Logger = { info: () => {}, debug: () => {}, warning: () => {} };
