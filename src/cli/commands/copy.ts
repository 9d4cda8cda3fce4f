// `gatehouse copy --from STORE --to STORE`: moves everything a store holds to
// another engine (SQLite ↔ PostgreSQL). A STORE is `sqlite:DIR` (the data
// directory holding gatehouse.sqlite) or a postgres:// URL. With a secret
// (--secret-env VAR or [security] secret_key of --config), a SQLite data
// directory's key files are sealed into the destination too, so instances on it
// need no files.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { connectStore, type Store, type StoreOptions } from '../../store/index.js';
import { copyStore } from '../../store/copy.js';
import { KEYRING_SETTING, KeyringError, loadStoredKeyring } from '../../core/security/keyring.js';
import { CliError, type Command } from '../command.js';
import { configFromFlags, parseFlags } from '../config-flags.js';

const USAGE = `usage: gatehouse copy --from STORE --to STORE [--config FILE] [--secret-env VAR]
  STORE             sqlite:DIR (the data directory holding gatehouse.sqlite) or postgres://user@host/db
  --from STORE      the store to read (left as it is)
  --to STORE        an empty store to fill (its schema is made; any rows in it: refused)
  --config FILE     where [security] secret_key is read from (or GF_SECURITY_SECRET_KEY)
  --secret-env VAR  the secret is in this environment variable instead
Users, password hashes, token families, keys, orgs, settings and the audit trail move with
their ids. Stop the instances on the source first. With a secret, key files in a sqlite:DIR
source are sealed into the destination.`;

function storeOf(spec: string | undefined, flag: string): StoreOptions & { dir?: string } {
  if (!spec) throw new CliError(`missing --${flag} STORE`);
  if (/^postgres(ql)?:\/\//.test(spec)) return { engine: 'postgres', dataDir: '', postgresUrl: spec };
  if (spec.startsWith('sqlite:')) {
    const dir = resolve(spec.slice('sqlite:'.length));
    return { engine: 'sqlite', dataDir: dir, dir };
  }
  throw new CliError(`--${flag}: expected sqlite:DIR or postgres://..., got "${spec}"`);
}

export const copy: Command = {
  name: 'copy',
  summary: 'copy a whole store to another engine (SQLite ↔ PostgreSQL)',
  usage: USAGE,
  async run(argv, ctx) {
    const { values, positionals } = parseFlags(argv, { from: { type: 'string' }, to: { type: 'string' }, 'secret-env': { type: 'string' } });
    if (positionals.length) throw new CliError(`unexpected argument "${positionals[0]}"`);
    const from = storeOf(values.from, 'from');
    const to = storeOf(values.to, 'to');
    if (from.dir && !existsSync(join(from.dir, 'gatehouse.sqlite'))) throw new CliError(`--from: no gatehouse.sqlite in ${from.dir}`);
    const secretEnv = values['secret-env'];
    const secret = secretEnv ? process.env[secretEnv] : configFromFlags(values, ctx).security.secret_key;
    if (secretEnv && !secret) throw new CliError(`--secret-env: ${secretEnv} is not set`);
    const stores: Store[] = [];
    try {
      const source = await connectStore(from);
      stores.push(source);
      await source.migrate();
      const dest = await connectStore(to);
      stores.push(dest);
      await dest.migrate();
      const report = await copyStore(source, dest).catch((err: Error) => { throw new CliError(err.message); });
      for (const r of report) ctx.out(`${r.table}: ${r.rows} rows`);
      if (secret && from.dir && !(await dest.settings.get(KEYRING_SETTING))) {
        const { moved } = await loadStoredKeyring(dest.settings, secret, from.dir);
        ctx.out(moved ? `keys: master.key and jwt-ed25519.pem of ${from.dir} sealed into the destination` : 'keys: new keys made in the destination (the source had no key files)');
      } else if (!(await dest.settings.get(KEYRING_SETTING)) && from.dir) {
        ctx.out(`keys: still the files in ${from.dir}: copy master.key and jwt-ed25519.pem to each instance's data_dir, or run again into a new destination with a secret`);
      }
      return 0;
    } catch (err) {
      throw err instanceof KeyringError ? new CliError(err.message) : err;
    } finally {
      for (const s of stores) await s.close();
    }
  },
};
