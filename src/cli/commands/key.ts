// `gatehouse key list|create|delete|import`: Grafana API keys (the legacy
// /api/auth/keys kind). Create prints the key once; only its hash is kept.
import { CliError, type Command } from '../command.js';
import { isRole } from '../../core/model.js';
import { CONFIG_USAGE, parseFlags, intArg, iso, orgOf, withCore } from '../config-flags.js';

const USAGE = `usage:
  gatehouse key list [--org ID] [--include-expired]
  gatehouse key create NAME --role ROLE [--ttl SECONDS] [--org ID]   (the key is shown once)
  gatehouse key delete ID [--org ID]
  gatehouse key import NAME --role ROLE --grafana-hash HEX [--expires UNIX_SECONDS] [--service-account ID] [--org ID]
                                       (a key from a Grafana database, by its stored PBKDF2 hash;
                                        re-stored under SHA-256 the first time it is used)
  --org ID   the organization (default 1)
${CONFIG_USAGE}`;

export const key: Command = {
  name: 'key',
  summary: 'list, create (shown once), delete and import Grafana API keys',
  usage: USAGE,
  async run(argv, ctx) {
    const { values, positionals } = parseFlags(argv, {
      org: { type: 'string' }, role: { type: 'string' }, ttl: { type: 'string' }, 'include-expired': { type: 'boolean' },
      'grafana-hash': { type: 'string' }, expires: { type: 'string' }, 'service-account': { type: 'string' },
    });
    const [sub, ...args] = positionals;
    const arity = (n: number) => {
      if (args.length < n) throw new CliError(`key ${sub}: missing argument\n${USAGE}`);
      if (args.length > n) throw new CliError(`unexpected argument "${args[n]}"`);
    };
    const role = () => {
      if (values.role === undefined) throw new CliError(`key ${sub}: --role is required (Viewer, Editor or Admin)`);
      if (!isRole(values.role)) throw new CliError(`--role must be Viewer, Editor or Admin, not "${values.role}"`);
      return values.role;
    };
    switch (sub) {
      case 'list': {
        arity(0);
        const keys = await withCore(values, ctx, async (core) => core.keys.listLegacy(orgOf(core, values.org), !!values['include-expired']));
        if (!keys.length) ctx.out('no API keys');
        for (const k of keys) ctx.out(`${k.id}\t${k.name}\t${k.role}\texpires ${iso(k.expiresAt)}\tlast used ${iso(k.lastUsedAt)}`);
        return 0;
      }
      case 'create': {
        arity(1);
        const r = role();
        const ttl = values.ttl === undefined ? 0 : intArg(values.ttl, '--ttl');
        const created = await withCore(values, ctx, async (core) => {
          if (core.config.auth.legacy_api_key_create === 'gone') throw new CliError('legacy API keys cannot be created (legacy_api_key_create = gone): create a service account token with `gatehouse sa token create`');
          return core.keys.createLegacy({ orgId: orgOf(core, values.org), name: args[0]!, role: r, secondsToLive: ttl, caller: { role: 'Admin', isServerAdmin: true }, actor: 'cli' });
        });
        ctx.out(`created API key ${created.id} "${created.name}"`);
        ctx.out(`key (shown once): ${created.key}`);
        return 0;
      }
      case 'delete': {
        arity(1);
        const id = intArg(args[0], 'ID');
        await withCore(values, ctx, async (core) => {
          const k = core.keys.get(id);
          if (!k || k.serviceAccountId !== null || k.orgId !== orgOf(core, values.org)) throw new CliError(`no API key with id ${id} in organization ${values.org ?? 1}`);
          await core.keys.delete(id, 'cli');
        });
        ctx.out(`deleted API key ${id}`);
        return 0;
      }
      case 'import': {
        arity(1);
        const r = role();
        const hash = values['grafana-hash'];
        if (!hash) throw new CliError('key import: --grafana-hash is required');
        const expires = values.expires === undefined ? null : intArg(values.expires, '--expires') * 1000;
        const sa = values['service-account'] === undefined ? null : intArg(values['service-account'], '--service-account');
        const rec = await withCore(values, ctx, async (core) => {
          const orgId = orgOf(core, values.org);
          if (sa !== null && !core.serviceAccounts.get(orgId, sa)) throw new CliError(`no service account ${sa} in organization ${orgId}`);
          return core.keys.importGrafanaKey({ orgId, name: args[0]!, role: r, hash: hash.toLowerCase(), serviceAccountId: sa, expiresAt: expires });
        });
        ctx.out(`imported API key ${rec.id} "${rec.name}"`);
        return 0;
      }
      default:
        throw new CliError(sub ? `unknown subcommand "key ${sub}"\n${USAGE}` : USAGE);
    }
  },
};
