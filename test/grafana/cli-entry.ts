// Runs `gatehouse <org|key|sa> …` as its own process for the CLI tests: through
// the real CLI once the command is wired into src/cli/commands/index.ts, and
// directly (with the CLI's own error reporting) until then.
import { commands } from '../../src/cli/commands/index.js';
import { runCli } from '../../src/cli/main.js';
import { org } from '../../src/cli/commands/org.js';
import { key } from '../../src/cli/commands/key.js';
import { sa } from '../../src/cli/commands/sa.js';
import { CliError, type Command } from '../../src/cli/command.js';
import { ConfigError } from '../../src/config/errors.js';
import { CoreError } from '../../src/core/errors.js';

const argv = process.argv.slice(2);
const ctx = { out: (l: string) => console.log(l), err: (l: string) => console.error(l) };
const mine: Record<string, Command> = { org, key, sa };
const cmd = mine[argv[0] ?? ''];
if (!cmd || commands.some((c) => c.name === cmd.name)) {
  process.exitCode = await runCli(argv, ctx);
} else {
  try {
    process.exitCode = await cmd.run(argv.slice(1), ctx);
  } catch (err) {
    const e = err as Error;
    const known = err instanceof CliError || err instanceof ConfigError || err instanceof CoreError;
    ctx.err(`gatehouse ${cmd.name}: ${known ? e.message : `unexpected error: ${e.message}`}`);
    process.exitCode = 1;
  }
}
