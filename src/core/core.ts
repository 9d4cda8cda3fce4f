// The core's composition root and the facade both faces call: the indexes, the
// one write path, and one module per capability (actions/). No HTTP here.
import { hkdfSync } from 'node:crypto';
import type { Config } from '../config/schema.js';
import type { Store } from '../store/types.js';
import { accountActions } from './actions/accounts.js';
import { accountAdminActions } from './actions/account-admin.js';
import { healthActions } from './actions/health.js';
import { userSessionActions } from './actions/user-sessions.js';
import { passwordActions } from './actions/passwords.js';
import { Audit } from './actions/audit.js';
import { bootstrapActions, type BootstrapResult } from './actions/bootstrap.js';
import { grafanaKeyActions } from './actions/grafana-keys.js';
import { LoginActions } from './actions/login.js';
import { apiKeyActions } from './actions/moonraker-api-key.js';
import { moonrakerKeyActions } from './actions/moonraker-keys.js';
import { oneshotActions } from './actions/oneshot.js';
import { membershipActions, orgActions } from './actions/orgs.js';
import { refreshActions } from './actions/refresh.js';
import { scopeActions } from './actions/scopes.js';
import { serviceAccountActions } from './actions/service-accounts.js';
import { verifyActions } from './actions/verify.js';
import { webSessionActions } from './actions/web-sessions.js';
import type { Change, ChangeFeed } from './changes.js';
import type { Ctx, Indexes } from './context.js';
import { CoreEventBus } from './events.js';
import { BootstrapIndex } from './indexes/bootstrap.js';
import { FamiliesIndex } from './indexes/families.js';
import { GrafanaKeysIndex } from './indexes/grafana-keys.js';
import { MoonrakerApiKeyIndex } from './indexes/moonraker-api-key.js';
import { MoonrakerKeysIndex } from './indexes/moonraker-keys.js';
import { OrgsIndex } from './indexes/orgs.js';
import { UsersIndex } from './indexes/users.js';
import { WebSessionsIndex } from './indexes/web-sessions.js';
import { pollingFeed } from './polling-feed.js';
import { ChannelFeed, type ChannelFeedOptions } from './channel-feed.js';
import { JwtService } from './security/jwt.js';
import type { Keyring } from './security/keyring.js';
import { RequestOrigins } from './security/request-origin.js';
import { TrustedClients } from './security/trusted-clients.js';
import { LocalSource } from './sources/local.js';
import type { SourceLog, UserSource } from './sources/types.js';
import { createWriter } from './write.js';

const FLUSH_EVERY_MS = 10_000;
const PRUNE_EVERY_MS = 3600_000;

export interface CoreOptions {
  store: Store;
  keyring: Keyring;
  config: Config;
  log: SourceLog;
  /** How changes reach other instances; default: the store's channel (PostgreSQL), else its generation stamp polled every second. */
  feed?: ChangeFeed;
  /** Observers of the store channel's feed (metrics). */
  feedEvents?: Pick<ChannelFeedOptions, 'onLag' | 'onState'>;
}

function defaultFeed(o: CoreOptions): ChangeFeed & { connect?(): Promise<void> } {
  const onError = (err: unknown) => o.log.error({ err }, 'store sync failed');
  if (!o.store.channel) return pollingFeed(o.store.settings, { onError, mayHaveChanged: o.store.mayHaveChanged });
  return new ChannelFeed(o.store.channel, {
    onError,
    ...o.feedEvents,
    onState: (up) => {
      if (up) o.log.info('change channel: listening');
      else o.log.warn('change channel: connection lost; requests answer 503 until it is back and caught up');
      o.feedEvents?.onState?.(up);
    },
  });
}

function createIndexes(store: Store, masterKey: Buffer, sessionWindow: () => { seenSince: number; createdSince: number }): Indexes {
  return {
    users: new UsersIndex(store), families: new FamiliesIndex(store), apiKey: new MoonrakerApiKeyIndex(store, masterKey),
    moonrakerKeys: new MoonrakerKeysIndex(store),
    orgs: new OrgsIndex(store), keys: new GrafanaKeysIndex(store), webSessions: new WebSessionsIndex(store, sessionWindow),
    bootstrap: new BootstrapIndex(store),
  };
}

/** What every action module is given. */
function createContext(o: CoreOptions, events: CoreEventBus, ix: Indexes, write: Ctx['write']): Ctx {
  const { store, config, log } = o;
  return {
    store, config, log, events, ix, write, masterKey: o.keyring.masterKey,
    audit: new Audit(store, config.audit.json_lines_file, (err) => log.error({ err }, 'audit write failed')),
    jwt: new JwtService(o.keyring.signing, config.gatehouse.issuer ?? `http://${config.gatehouse.host}:${config.gatehouse.port}`),
    trusted: new TrustedClients(config.authorization.trusted_clients),
    sources: new Map<string, UserSource>(),
  };
}

export function createCore(o: CoreOptions) {
  const { store, config, log } = o;
  const events = new CoreEventBus();
  const feed: ChangeFeed & { connect?(): Promise<void> } = o.feed ?? defaultFeed(o);
  let sessionWindow = () => ({ seenSince: 0, createdSince: 0 });
  const ix = createIndexes(store, o.keyring.masterKey, () => sessionWindow());
  const writer = createWriter(Object.values(ix), feed, events, (err) => log.error({ err }, 'change feed publish failed'));
  const ctx = createContext(o, events, ix, writer.write);
  const login = new LoginActions(ctx);
  const basics = { ...accountActions(ctx, login), ...passwordActions(ctx, login) };
  const accounts = { ...basics, ...accountAdminActions(ctx, basics) };
  const moonrakerKeys = moonrakerKeyActions(ctx);
  const verify = verifyActions(ctx, login, moonrakerKeys);
  const keys = grafanaKeyActions(ctx);
  const orgs = { ...orgActions(ctx, accounts), ...membershipActions(ctx, accounts) };
  const webSessions = { ...webSessionActions(ctx, verify), ...userSessionActions(ctx, () => sessionWindow()) };
  sessionWindow = webSessions.window;
  ctx.sources.set('moonraker', new LocalSource((user, password) => accounts.rehash(user, password)));
  const bootstrap = bootstrapActions(ctx, login);
  const timers: NodeJS.Timeout[] = [];
  let unsubscribe = () => {};

  const core = {
    config, events, audit: ctx.audit, trusted: ctx.trusted, origins: new RequestOrigins(config),
    accounts, login, verify, keys, orgs, webSessions, moonrakerKeys,
    refresh: refreshActions(ctx),
    oneshot: oneshotActions(ctx, verify),
    apiKey: apiKeyActions(ctx),
    health: healthActions(ctx),
    scopes: scopeActions(ctx),
    serviceAccounts: serviceAccountActions(ctx, accounts, orgs, keys),
    /** The Grafana face's first-start admin, when this start created or looked for one. */
    bootstrap: null as BootstrapResult | null,

    /** A 32-byte secret for one purpose, derived from the master key: the same on every instance that shares the store. */
    secretFor: (purpose: string): Buffer => Buffer.from(hkdfSync('sha256', ctx.masterKey, Buffer.alloc(0), `gatehouse:${purpose}`, 32)),
    addSource(source: UserSource) { ctx.sources.set(source.name, source); },
    availableSources: () => [...ctx.sources.keys()],

    /** Loads the indexes (a first start's needs; `bootstrap`: Grafana's admin; `follow`, a server: the channel heard first, nothing missed). */
    async start(s: { bootstrap?: boolean; follow?: boolean } = {}): Promise<void> {
      if (s.follow) await feed.connect?.();
      await (feed as { load?: () => Promise<void> }).load?.();
      await bootstrap.ensureDefaultOrg();
      await Promise.all(Object.values(ix).map((i) => i.load()));
      await core.apiKey.ensure();
      if (s.bootstrap) core.bootstrap = await bootstrap.admin();
    },

    /** Follows other instances' changes and flushes write-behind times (a server; the CLI does not). */
    serve(): void {
      unsubscribe = follow(feed, writer.apply, events, log, ix.users);
      feed.start();
      timers.push(
        every(FLUSH_EVERY_MS, () => keys.flush(), (err) => log.error({ err }, 'api key last-used flush failed')),
        every(FLUSH_EVERY_MS, () => moonrakerKeys.flush(), (err) => log.error({ err }, 'named api key last-used flush failed')),
        every(FLUSH_EVERY_MS, () => webSessions.flush(), (err) => log.error({ err }, 'web session flush failed')),
        every(PRUNE_EVERY_MS, () => webSessions.prune(), (err) => log.error({ err }, 'web session prune failed')),
      );
    },

    /** False while other instances' changes may be missed (their channel lost, not caught up): trust no cache. */ coherent: (): boolean => feed.healthy,

    /** One poll of the change feed (tests); true when another process had written. */
    sync: () => (feed as { poll?: () => Promise<boolean> }).poll?.() ?? Promise.resolve(false),

    async stop(): Promise<void> {
      feed.stop();
      unsubscribe();
      for (const t of timers) clearInterval(t);
      await Promise.all([keys.flush(), moonrakerKeys.flush(), webSessions.flush()]).catch(() => {});
    },
  };
  return core;
}

/**
 * Applies other instances' changes and re-emits their domain events here; forwards this process's events to them.
 * A change it cannot name (another process polled, or a channel caught up after a gap) came with no events: the
 * accounts that reload finds created or deleted are announced here instead (the CLI's `user create`, for one).
 */
function follow(feed: ChangeFeed, apply: (c: Change) => Promise<void>, events: CoreEventBus, log: SourceLog, users: UsersIndex): () => void {
  const unsubscribeChanges = feed.subscribe(async (change) => {
    await apply(change);
    if (change.kind === 'all') {
      const { appeared, vanished } = users.lastReload;
      for (const u of appeared) if (!u.isServiceAccount) events.emitEvent({ name: 'user_created', args: [{ username: u.username }] }, { remote: true });
      for (const u of vanished) if (!u.isServiceAccount) events.emitEvent({ name: 'user_deleted', args: [{ username: u.username, userId: u.id }] }, { remote: true });
    }
    events.emit('reloaded');
  });
  // Websocket clients on every instance hear every instance's events.
  const unsubscribeEvents = feed.subscribeEvents?.((e) => events.emitEvent(e, { remote: true }));
  if (feed.publishEvents) events.forward = (e) => void feed.publishEvents!([e]).catch((err) => log.error({ err }, 'change feed publish failed'));
  return () => {
    unsubscribeChanges();
    unsubscribeEvents?.();
    events.forward = undefined;
  };
}

/** A housekeeping timer that never keeps the process alive. */
function every(ms: number, fn: () => Promise<unknown>, onError: (err: unknown) => void): NodeJS.Timeout {
  const t = setInterval(() => void fn().catch(onError), ms);
  t.unref();
  return t;
}

export type Core = ReturnType<typeof createCore>;
