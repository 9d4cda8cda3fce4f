// `gatehouse org list|create|delete|add-user`: Grafana organizations.
import { CliError, type Command } from '../command.js';
import { DEFAULT_ORG_ID, isRole } from '../../core/model.js';
import { CONFIG_USAGE, parseFlags, intArg, iso, withCore } from '../config-flags.js';

const USAGE = `usage:
  gatehouse org list
  gatehouse org create NAME
  gatehouse org delete ID                 (its keys, service accounts and memberships go with it)
  gatehouse org add-user ID LOGIN ROLE    (ROLE: Viewer, Editor or Admin)
${CONFIG_USAGE}`;

export const org: Command = {
  name: 'org',
  summary: 'list, create and delete Grafana organizations; add members',
  usage: USAGE,
  async run(argv, ctx) {
    const { values, positionals } = parseFlags(argv, {});
    const [sub, ...args] = positionals;
    const arity = (n: number) => {
      if (args.length < n) throw new CliError(`org ${sub}: missing argument\n${USAGE}`);
      if (args.length > n) throw new CliError(`unexpected argument "${args[n]}"`);
    };
    switch (sub) {
      case 'list': {
        arity(0);
        const orgs = await withCore(values, ctx, async (core) => core.orgs.list().map((o) => ({ ...o, members: core.orgs.members(o.id).length })));
        for (const o of orgs) ctx.out(`${o.id}\t${o.name}\t${o.members} member(s)\t${iso(o.createdAt)}`);
        return 0;
      }
      case 'create': {
        arity(1);
        const name = args[0]!.trim();
        if (!name) throw new CliError('org create: the name must not be empty');
        const o = await withCore(values, ctx, (core) => core.orgs.create(name, null, 'cli'));
        ctx.out(`created organization ${o.id} "${o.name}"`);
        return 0;
      }
      case 'delete': {
        arity(1);
        const id = intArg(args[0], 'ID');
        if (id === DEFAULT_ORG_ID) throw new CliError('the default organization cannot be deleted: the Moonraker face acts in it');
        await withCore(values, ctx, async (core) => {
          if (!core.orgs.get(id)) throw new CliError(`no organization with id ${id}`);
          await core.orgs.delete(id, 'cli');
        });
        ctx.out(`deleted organization ${id}`);
        return 0;
      }
      case 'add-user': {
        arity(3);
        const id = intArg(args[0], 'ID');
        const [, login, role] = args as [string, string, string];
        if (!isRole(role)) throw new CliError(`ROLE must be Viewer, Editor or Admin, not "${role}"`);
        await withCore(values, ctx, async (core) => {
          if (!core.orgs.get(id)) throw new CliError(`no organization with id ${id}`);
          const u = core.accounts.findByLoginOrEmail(login);
          if (!u || u.isServiceAccount) throw new CliError(`no user "${login}"`);
          await core.orgs.addMember(id, u.id, role);
        });
        ctx.out(`added "${login}" to organization ${id} as ${role}`);
        return 0;
      }
      default:
        throw new CliError(sub ? `unknown subcommand "org ${sub}"\n${USAGE}` : USAGE);
    }
  },
};
