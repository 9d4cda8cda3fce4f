// `gatehouse apikey show|rotate`: Moonraker's global API key.
import { CliError, type Command } from '../command.js';
import { CONFIG_USAGE, parseFlags, withCore } from '../config-flags.js';

const USAGE = `usage:
  gatehouse apikey show     print the current Moonraker API key
  gatehouse apikey rotate   replace it (the old key stops working)
${CONFIG_USAGE}`;

export const apikey: Command = {
  name: 'apikey',
  summary: "show or rotate Moonraker's global API key",
  usage: USAGE,
  async run(argv, ctx) {
    const { values, positionals } = parseFlags(argv, {});
    const [sub, ...extra] = positionals;
    if (extra.length) throw new CliError(`unexpected argument "${extra[0]}"`);
    if (sub === 'show') {
      ctx.out(await withCore(values, ctx, async (core) => core.apiKey.get()));
      return 0;
    }
    if (sub === 'rotate') {
      const key = await withCore(values, ctx, (core) => core.apiKey.rotate(null));
      ctx.out(key);
      ctx.err('API key rotated; the previous key no longer works');
      return 0;
    }
    throw new CliError(sub ? `unknown subcommand "apikey ${sub}"\n${USAGE}` : USAGE);
  },
};
