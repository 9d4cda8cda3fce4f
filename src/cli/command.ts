// A CLI command: one file each under commands/, listed in main.ts.
export interface CommandContext {
  out: (line: string) => void;
  err: (line: string) => void;
}

export interface Command {
  name: string;
  summary: string;
  usage: string;
  /** Resolves with the process exit code. */
  run(argv: string[], ctx: CommandContext): Promise<number>;
}

/** A failure to report as one clear line and exit non-zero. */
export class CliError extends Error {}
