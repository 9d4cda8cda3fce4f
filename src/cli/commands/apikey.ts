// `gatehouse apikey show|rotate`: Moonraker's global API key; and
// `gatehouse apikey create|list|delete`: named keys (issue 20), each with a
// scope, shown once at creation (only its hash is kept).
import { CliError, type Command } from '../command.js';
import { isScope } from '../../core/model.js';
import { CONFIG_USAGE, parseFlags, intArg, iso, withCore } from '../config-flags.js';

const USAGE = `usage:
  gatehouse apikey show     print the current Moonraker API key
  gatehouse apikey rotate   replace it (the old key stops working)
  gatehouse apikey create NAME --scope read|control|admin [--ttl SECONDS]
                            a named key, sent as X-Api-Key like the global one (shown once)
  gatehouse apikey list     the named keys: name, scope, created, expires, last used
  gatehouse apikey delete NAME
                            revoke a named key (at once, also on open websockets)
${CONFIG_USAGE}`;

export const apikey: Command = {
  name: 'apikey',
  summary: "Moonraker's global API key (show, rotate) and named keys with a scope (create, list, delete)",
  usage: USAGE,
  async run(argv, ctx) {
    const { values, positionals } = parseFlags(argv, { scope: { type: 'string' }, ttl: { type: 'string' } });
    const [sub, ...args] = positionals;
    const arity = (n: number) => {
      if (args.length < n) throw new CliError(`apikey ${sub}: missing argument\n${USAGE}`);
      if (args.length > n) throw new CliError(`unexpected argument "${args[n]}"`);
    };
    switch (sub) {
      case 'show':
        arity(0);
        ctx.out(await withCore(values, ctx, async (core) => core.apiKey.get()));
        return 0;
      case 'rotate': {
        arity(0);
        const key = await withCore(values, ctx, (core) => core.apiKey.rotate(null));
        ctx.out(key);
        ctx.err('API key rotated; the previous key no longer works');
        return 0;
      }
      case 'create': {
        arity(1);
        if (values.scope === undefined) throw new CliError('apikey create: --scope is required (read, control or admin)');
        if (!isScope(values.scope)) throw new CliError(`--scope must be read, control or admin, not "${values.scope}"`);
        const ttl = values.ttl === undefined ? undefined : intArg(values.ttl, '--ttl');
        const k = await withCore(values, ctx, (core) => core.moonrakerKeys.create({ name: args[0]!, scope: values.scope, expiresIn: ttl, actor: null }));
        ctx.out(`created API key "${k.name}" (scope ${k.scope}, expires ${k.expires_at === null ? 'never' : iso(k.expires_at * 1000)})`);
        ctx.out(`key (shown once): ${k.key}`);
        return 0;
      }
      case 'list': {
        arity(0);
        const keys = await withCore(values, ctx, async (core) => core.moonrakerKeys.list());
        if (!keys.length) ctx.out('no named API keys');
        for (const k of keys) ctx.out(`${k.name}\t${k.scope}\tcreated ${iso(k.createdAt)}\texpires ${iso(k.expiresAt)}\tlast used ${iso(k.lastUsedAt)}`);
        return 0;
      }
      case 'delete':
        arity(1);
        await withCore(values, ctx, (core) => core.moonrakerKeys.delete({ name: args[0]!, actor: null }));
        ctx.out(`deleted API key "${args[0]}"`);
        return 0;
      default:
        throw new CliError(sub ? `unknown subcommand "apikey ${sub}"\n${USAGE}` : USAGE);
    }
  },
};
