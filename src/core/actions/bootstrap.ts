// First start: the default org, Moonraker's API key, and (with the Grafana face
// on) Grafana's admin_user / admin_password, once per store. Without a
// configured password a random one is generated and returned, never a
// well-known default; the log says so without printing it.
import type { Ctx } from '../context.js';
import { fail } from '../errors.js';
import { DEFAULT_ORG_ID, DEFAULT_ORG_NAME, type User } from '../model.js';
import { BOOTSTRAP_SETTING } from '../indexes/bootstrap.js';
import { newUid, randomAlnum } from '../security/crypto.js';
import { hashPassword, MAX_PASSWORD_BYTES } from '../security/passwords.js';
import { validateUsername } from '../security/validation.js';
import type { LoginActions } from './login.js';

export interface BootstrapResult {
  login: string;
  /** Present only when gatehouse generated it: show it to the operator once. */
  generatedPassword?: string;
  created: boolean;
}

export function bootstrapActions(ctx: Ctx, login: LoginActions) {
  const s = ctx.config.security;

  /** Server admin and Admin of the default org. */
  async function makeAdmin(user: User) {
    await ctx.write({
      run: async () => {
        if (!user.isAdmin) await ctx.store.users.update(user.id, { isAdmin: true });
        const role = (await ctx.store.orgs.membership(DEFAULT_ORG_ID, user.id))?.role;
        if (!role) await ctx.store.orgs.addMember(DEFAULT_ORG_ID, user.id, 'Admin');
        else if (role !== 'Admin') await ctx.store.orgs.setRole(DEFAULT_ORG_ID, user.id, 'Admin');
      },
      changes: () => [{ kind: 'user', id: user.id }],
    });
  }

  /** A name already taken (e.g. by a Moonraker user) is promoted only when admin_password proves it is the operator's. */
  async function adopt(existing: User): Promise<void> {
    const proven = s.admin_password !== undefined && existing.source === 'moonraker'
      && (await login.verifyPassword(existing.username, s.admin_password, 'moonraker').then(() => true, () => false));
    if (proven) await makeAdmin(existing);
    else ctx.log.warn({ login: existing.username }, `[security] admin_user "${existing.username}" already exists and admin_password does not match it: it was not made a Grafana admin`);
  }

  async function create(loginName: string): Promise<{ user: User; generatedPassword?: string }> {
    const password = s.admin_password ?? randomAlnum(20);
    if (Buffer.byteLength(password) > MAX_PASSWORD_BYTES) throw fail('ADMIN_PASSWORD_TOO_LONG', { max: MAX_PASSWORD_BYTES });
    const emailTaken = ctx.ix.users.findByLoginOrEmail(s.admin_email);
    const passwordHash = await hashPassword(password);
    const user = await ctx.write({
      run: () => ctx.store.users.create({
        uid: newUid(), username: loginName, email: emailTaken ? null : s.admin_email, name: '', passwordHash,
        source: 'moonraker', isAdmin: true, isServiceAccount: false, isDisabled: false, orgId: DEFAULT_ORG_ID,
        memberships: [{ orgId: DEFAULT_ORG_ID, role: 'Admin' }],
      }),
      changes: (u) => [{ kind: 'user', id: u.id }],
    });
    await ctx.audit.record('user_created', { username: loginName, detail: { by: 'bootstrap', grafanaAdmin: true } });
    if (s.admin_password !== undefined) return { user };
    ctx.log.warn({ login: loginName }, `Grafana admin "${loginName}" created with a generated password; it is shown once, on the console of this first start, and is not logged`);
    return { user, generatedPassword: password };
  }

  return {
    /** The default org must exist before anything else (the Moonraker face acts in it). */
    async ensureDefaultOrg(): Promise<void> {
      if (await ctx.store.orgs.byId(DEFAULT_ORG_ID)) return;
      await ctx.write({ run: () => ctx.store.orgs.create(DEFAULT_ORG_NAME), changes: (o) => [{ kind: 'org', id: o.id }] });
    },

    async admin(): Promise<BootstrapResult | null> {
      if (await ctx.store.settings.get(BOOTSTRAP_SETTING)) return null;
      const loginName = s.admin_user;
      validateUsername(loginName, 'admin_user');
      const existing = await ctx.ix.users.fetch(loginName);
      let result: BootstrapResult;
      let createdId: number | undefined;
      if (existing) {
        await adopt(existing);
        result = { login: loginName, created: false };
      } else {
        const made = await create(loginName);
        createdId = made.user.id;
        result = { login: loginName, created: true, ...(made.generatedPassword ? { generatedPassword: made.generatedPassword } : {}) };
      }
      const record = { at: Date.now(), login: loginName, created: result.created, ...(createdId === undefined ? {} : { userId: createdId }) };
      await ctx.write({ run: () => ctx.store.settings.set(BOOTSTRAP_SETTING, JSON.stringify(record)), changes: () => [{ kind: 'bootstrap' }] });
      return result;
    },
  };
}
