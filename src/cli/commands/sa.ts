// `gatehouse sa list|create|delete` and `gatehouse sa token list|create|delete`:
// Grafana service accounts and their glsa_ tokens (create prints the token once).
import { CliError, type Command } from '../command.js';
import { isRole } from '../../core/model.js';
import type { Core } from '../../core/core.js';
import { CONFIG_USAGE, parseFlags, intArg, iso, orgOf, withCore } from '../config-flags.js';

const USAGE = `usage:
  gatehouse sa list [--org ID]
  gatehouse sa create NAME [--role ROLE] [--org ID]           (ROLE: Viewer (default), Editor, Admin)
  gatehouse sa delete SA_ID [--org ID]                        (its tokens go with it)
  gatehouse sa token list SA_ID [--org ID]
  gatehouse sa token create SA_ID NAME [--ttl SECONDS] [--org ID]   (the token is shown once)
  gatehouse sa token delete SA_ID TOKEN_ID [--org ID]
  --org ID   the organization (default 1)
${CONFIG_USAGE}`;

export const sa: Command = {
  name: 'sa',
  summary: 'Grafana service accounts and their tokens (shown once)',
  usage: USAGE,
  async run(argv, ctx) {
    const { values, positionals } = parseFlags(argv, { org: { type: 'string' }, role: { type: 'string' }, ttl: { type: 'string' } });
    let [sub, ...args] = positionals;
    if (sub === 'token') {
      const [op, ...rest] = args;
      sub = `token ${op ?? ''}`.trim();
      args = rest;
    }
    const arity = (n: number) => {
      if (args.length < n) throw new CliError(`sa ${sub}: missing argument\n${USAGE}`);
      if (args.length > n) throw new CliError(`unexpected argument "${args[n]}"`);
    };
    const account = (core: Core, orgId: number) => {
      const id = intArg(args[0], 'SA_ID');
      const found = core.serviceAccounts.get(orgId, id);
      if (!found) throw new CliError(`no service account ${id} in organization ${orgId}`);
      return found;
    };
    switch (sub) {
      case 'list': {
        arity(0);
        const rows = await withCore(values, ctx, async (core) => core.serviceAccounts.list(orgOf(core, values.org)).map((s) => ({ ...s, tokens: core.keys.tokensOf(s.user.id).length })));
        if (!rows.length) ctx.out('no service accounts');
        for (const s of rows) ctx.out(`${s.user.id}\t${s.user.name}\t${s.user.username}\t${s.role}\t${s.tokens} token(s)${s.user.isDisabled ? '\tdisabled' : ''}`);
        return 0;
      }
      case 'create': {
        arity(1);
        if (values.role !== undefined && !isRole(values.role)) throw new CliError(`--role must be Viewer, Editor or Admin, not "${values.role}"`);
        const s = await withCore(values, ctx, async (core) =>
          core.serviceAccounts.create({ orgId: orgOf(core, values.org), name: args[0]!, role: values.role, caller: { role: 'Admin', isServerAdmin: true }, actor: 'cli' }));
        ctx.out(`created service account ${s.user.id} "${s.user.name}" (${s.user.username}, ${s.role})`);
        return 0;
      }
      case 'delete': {
        arity(1);
        const id = await withCore(values, ctx, async (core) => {
          const orgId = orgOf(core, values.org);
          const s = account(core, orgId);
          await core.serviceAccounts.delete(orgId, s.user.id, 'cli');
          return s.user.id;
        });
        ctx.out(`deleted service account ${id} and its tokens`);
        return 0;
      }
      case 'token list': {
        arity(1);
        const tokens = await withCore(values, ctx, async (core) => core.keys.tokensOf(account(core, orgOf(core, values.org)).user.id));
        if (!tokens.length) ctx.out('no tokens');
        for (const t of tokens) ctx.out(`${t.id}\t${t.name}\texpires ${iso(t.expiresAt)}\tlast used ${iso(t.lastUsedAt)}`);
        return 0;
      }
      case 'token create': {
        arity(2);
        const ttl = values.ttl === undefined ? 0 : intArg(values.ttl, '--ttl');
        const t = await withCore(values, ctx, async (core) => {
          const orgId = orgOf(core, values.org);
          const s = account(core, orgId);
          return core.keys.createToken({ serviceAccountId: s.user.id, orgId, role: s.role, name: args[1]!, secondsToLive: ttl, actor: 'cli' });
        });
        ctx.out(`created token ${t.id} "${t.name}"`);
        ctx.out(`token (shown once): ${t.key}`);
        return 0;
      }
      case 'token delete': {
        arity(2);
        const tokenId = intArg(args[1], 'TOKEN_ID');
        await withCore(values, ctx, async (core) => {
          const s = account(core, orgOf(core, values.org));
          const k = core.keys.get(tokenId);
          if (!k || k.serviceAccountId !== s.user.id) throw new CliError(`service account ${s.user.id} has no token ${tokenId}`);
          await core.keys.delete(tokenId, 'cli');
        });
        ctx.out(`deleted token ${tokenId}`);
        return 0;
      }
      default:
        throw new CliError(sub ? `unknown subcommand "sa ${sub}"\n${USAGE}` : USAGE);
    }
  },
};
