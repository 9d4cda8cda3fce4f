// `gatehouse user create|list|delete|passwd|scope|disable|enable|sessions`: local account administration.
import type { Core } from '../../core/core.js';
import { fail } from '../../core/errors.js';
import type { User } from '../../core/model.js';
import { randomAlnum } from '../../core/security/crypto.js';
import { CliError, type Command, type CommandContext } from '../command.js';
import { CONFIG_USAGE, parseFlags, withCore } from '../config-flags.js';

const USAGE = `usage:
  gatehouse user create NAME [--password PW | --password-stdin] [--scope read|control|admin]
                                       (no password: one is generated and shown once; scope default admin)
  gatehouse user list
  gatehouse user scope NAME read|control|admin   (what the user may do on the Moonraker side)
  gatehouse user delete NAME
  gatehouse user passwd NAME [--password PW | --password-stdin]   (revokes the user's logins)
  gatehouse user disable NAME | user enable NAME                  (disable revokes the user's logins)
  gatehouse user sessions NAME [--revoke-all]                     (live logins on both faces)
${CONFIG_USAGE}`;

async function readStdinLine(): Promise<string> {
  let data = '';
  for await (const chunk of process.stdin) data += chunk;
  return data.split(/\r?\n/)[0] ?? '';
}

async function passwordFrom(values: { password?: string; 'password-stdin'?: boolean }, ctx: CommandContext): Promise<{ password: string; generated: boolean }> {
  if (values.password !== undefined && values['password-stdin']) throw new CliError('give --password or --password-stdin, not both');
  if (values['password-stdin']) return { password: await readStdinLine(), generated: false };
  if (values.password !== undefined) return { password: values.password, generated: false };
  void ctx;
  return { password: randomAlnum(20), generated: true };
}

/** An account by name (not a service account), or Moonraker's "No registered user". */
function named(core: Core, username: string): User {
  const u = core.accounts.get(username);
  if (!u || u.isServiceAccount) throw fail('NO_SUCH_USER', { username });
  return u;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** `user sessions NAME [--revoke-all]`: ID, FACE, CREATED, SEEN, IP, CLIENT per live login. */
async function sessions(core: Core, username: string, revokeAll: boolean, ctx: CommandContext): Promise<void> {
  const u = named(core, username);
  if (revokeAll) {
    const n = await core.webSessions.revokeAll(u.id, 'cli');
    ctx.out(`revoked ${n} session${n === 1 ? '' : 's'} of "${username}"`);
    return;
  }
  const list = await core.webSessions.listForUser(u.id);
  if (!list.length) ctx.out('no sessions');
  for (const x of list) ctx.out([x.id, x.face, iso(x.createdAt), iso(x.seenAt || x.createdAt), x.ip, x.userAgent].join('\t'));
}

export const user: Command = {
  name: 'user',
  summary: 'create, list, delete, disable and enable users; reset a password; list or revoke sessions',
  usage: USAGE,
  async run(argv, ctx) {
    const { values, positionals } = parseFlags(argv, { password: { type: 'string' }, 'password-stdin': { type: 'boolean' }, 'revoke-all': { type: 'boolean' }, scope: { type: 'string' } });
    const [sub, name, ...extra] = positionals;
    if (extra.length > (sub === 'scope' ? 1 : 0)) throw new CliError(`unexpected argument "${extra[sub === 'scope' ? 1 : 0]}"`);
    const needName = () => {
      if (!name) throw new CliError(`user ${sub}: missing NAME\n${USAGE}`);
      return name;
    };
    switch (sub) {
      case 'create': {
        const username = needName();
        const { password, generated } = await passwordFrom(values, ctx);
        await withCore(values, ctx, (core) => core.accounts.create({ username, password, source: 'moonraker', scope: values.scope, actor: null }));
        ctx.out(`created user "${username}"`);
        if (generated) ctx.out(`password (shown once): ${password}`);
        return 0;
      }
      case 'list': {
        const users = await withCore(values, ctx, async (core) => core.accounts.list());
        if (!users.length) ctx.out('no users');
        for (const u of users) ctx.out(`${u.username}\t${u.source}\t${new Date(u.createdAt).toISOString()}\t${u.scope}`);
        return 0;
      }
      case 'scope': {
        const username = needName();
        if (extra[0] === undefined) throw new CliError(`user scope: missing SCOPE (read, control or admin)\n${USAGE}`);
        const u = await withCore(values, ctx, (core) => core.scopes.setUserScope({ username, scope: extra[0], actor: null }));
        ctx.out(`user "${u.username}" now has scope ${u.scope}`);
        return 0;
      }
      case 'delete': {
        const username = needName();
        await withCore(values, ctx, (core) => core.accounts.delete({ username, actor: null }));
        ctx.out(`deleted user "${username}"`);
        return 0;
      }
      case 'passwd': {
        const username = needName();
        const { password, generated } = await passwordFrom(values, ctx);
        await withCore(values, ctx, (core) => core.accounts.resetPassword(username, password));
        ctx.out(`password of "${username}" reset; its logins were revoked`);
        if (generated) ctx.out(`password (shown once): ${password}`);
        return 0;
      }
      case 'disable': {
        const username = needName();
        await withCore(values, ctx, (core) => core.accounts.disable(null, named(core, username).id));
        ctx.out(`disabled user "${username}"; its sessions were revoked`);
        return 0;
      }
      case 'enable': {
        const username = needName();
        await withCore(values, ctx, (core) => core.accounts.enable(null, named(core, username).id));
        ctx.out(`enabled user "${username}"`);
        return 0;
      }
      case 'sessions': {
        const username = needName();
        await withCore(values, ctx, (core) => sessions(core, username, !!values['revoke-all'], ctx));
        return 0;
      }
      default:
        throw new CliError(sub ? `unknown subcommand "user ${sub}"\n${USAGE}` : USAGE);
    }
  },
};
