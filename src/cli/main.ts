// `gatehouse <command> [options]`
import type { Command, CommandContext } from './command.js';
import { CliError } from './command.js';
import { ConfigError } from '../config/errors.js';
import { CoreError } from '../core/errors.js';
import { commands } from './commands/index.js';

function help(out: (l: string) => void) {
  out('usage: gatehouse <command> [options]\n');
  out('commands:');
  for (const c of commands) out(`  ${c.name.padEnd(10)} ${c.summary}`);
  out('\nRun `gatehouse <command> --help` for its options.');
}

export async function runCli(argv: string[], ctx: CommandContext): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    help(ctx.out);
    return name ? 0 : 2;
  }
  const cmd: Command | undefined = commands.find((c) => c.name === name);
  if (!cmd) {
    ctx.err(`gatehouse: unknown command "${name}"`);
    help(ctx.err);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    ctx.out(cmd.usage);
    return 0;
  }
  try {
    return await cmd.run(rest, ctx);
  } catch (err) {
    const msg = err instanceof CliError || err instanceof ConfigError || err instanceof CoreError
      ? (err as Error).message
      : `unexpected error: ${(err as Error).message}`;
    ctx.err(`gatehouse ${cmd.name}: ${msg}`);
    return 1;
  }
}

/** The `gatehouse` command itself (bin/gatehouse.js calls it): output to the console, the exit code on the process. */
export async function main(argv = process.argv.slice(2)): Promise<void> {
  const code = await runCli(argv, { out: (l) => console.log(l), err: (l) => console.error(l) });
  if (code !== 0 || argv[0] !== 'serve') process.exitCode = code;
}
