/** Shape of one `mlops <name>` subcommand. Each lives in src/cli/commands/<name>.ts over src/lib. */
export interface Command {
  name: string;
  /** One line for `mlops --help`. */
  summary: string;
  /** Full usage text for `mlops <name> --help`. */
  usage: string;
  /** Returns the process exit code; throws UserError for a refusal with a one-line reason. */
  run(argv: string[]): Promise<number>;
}
