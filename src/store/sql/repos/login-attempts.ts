import type { Store } from '../../types.js';
import { prepared } from '../prepared.js';
import type { Repo } from './common.js';

export function loginAttemptsRepo({ db }: Repo): Store['loginAttempts'] {
  /** Failed logins by one account or one address since `since`. */
  const count = (by: 'username' | 'ip', value: string, since: number) =>
    db.selectFrom('login_attempts').select((eb) => eb.fn.countAll<number>().as('n')).where(by, '=', value).where('at', '>=', since);
  // What every login runs, built and compiled once.
  const add = prepared(db, (username: string, ip: string, at: number) => db.insertInto('login_attempts').values({ username, ip, at }));
  const byUsername = prepared(db, (username: string, since: number) => count('username', username, since));
  const byIp = prepared(db, (ip: string, since: number) => count('ip', ip, since));
  const both = prepared(db, (username: string, ip: string, since: number) => db.selectNoFrom([
    count('username', username, since).as('by_username'),
    count('ip', ip, since).as('by_ip'),
  ]));
  return {
    async add(username, ip, at) {
      await add(username, ip, at);
    },
    async countByUsername(username, since) {
      return Number((await byUsername(username, since)).rows[0]!.n);
    },
    async countByIp(ip, since) {
      return Number((await byIp(ip, since)).rows[0]!.n);
    },
    async counts(username, ip, since) {
      const r = (await both(username, ip, since)).rows[0]!;
      return { username: Number(r.by_username), ip: Number(r.by_ip) };
    },
    async resetUsername(username) {
      await db.deleteFrom('login_attempts').where('username', '=', username).execute();
    },
    async prune(before) {
      await db.deleteFrom('login_attempts').where('at', '<', before).execute();
    },
  };
}
