// A real OpenLDAP server for the LDAP tests: slapd (Debian package `slapd`,
// CLI tools from `ldap-utils`) as a child process on free loopback ports, with
// its own slapd.conf, mdb database and TLS certificates (a test CA made with the
// openssl CLI) in a temporary directory. Nothing here mocks LDAP, and nothing
// is skipped: a missing slapd fails the suite with instructions.
//
// Layout of the seeded directory (dc=example,dc=org):
//   cn=admin              rootdn (password ADMIN_PASSWORD), not an entry
//   cn=reader             service account for bind_dn (READER_PASSWORD)
//   ou=people             users: inetOrgPerson (+ an sAMAccountName for AD mode)
//   ou=groups             groupOfNames; the memberof overlay fills users' memberOf
//
// slapadd bypasses overlays, so the base entries and users are loaded offline
// with slapadd and the groups are added with ldapadd once slapd runs.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const BASE_DN = 'dc=example,dc=org';
export const PEOPLE = `ou=people,${BASE_DN}`;
export const GROUPS = `ou=groups,${BASE_DN}`;
export const ADMIN_DN = `cn=admin,${BASE_DN}`;
export const ADMIN_PASSWORD = 'admin-secret';
export const READER_DN = `cn=reader,${BASE_DN}`;
export const READER_PASSWORD = 'reader-secret';
export const HOST = '127.0.0.1';
/** Also served (ldaps only) but not named in the server certificate. */
export const OTHER_LOOPBACK = '127.0.0.2';
/** A member DN with no entry, so that no group is ever empty (groupOfNames requires a member). */
const PLACEHOLDER_MEMBER = `cn=placeholder,${GROUPS}`;

export interface SeedUser { uid: string; password: string; cn?: string; mail?: string; sAMAccountName?: string }
export interface SeedGroup { cn: string; members: string[] /* uids */ }

export const userDn = (uid: string) => `uid=${uid},${PEOPLE}`;
export const groupDn = (cn: string) => `cn=${cn},${GROUPS}`;

const DEFAULT_USERS: SeedUser[] = [
  { uid: 'alice', password: 'alice-pw', cn: 'Alice Liddell', mail: 'alice@example.org', sAMAccountName: 'alice.ad' },
  { uid: 'bob', password: 'bob-pw', cn: 'Bob Builder', mail: 'bob@example.org' },
  { uid: 'carol', password: 'carol-pw', cn: 'Carol Danvers', mail: 'carol@example.org' },
  { uid: 'dave', password: 'dave-pw', cn: 'Dave Lister' },
  // a uid full of filter metacharacters: escaping must find exactly this entry
  { uid: 'weird(user)*', password: 'weird-pw', cn: 'Weird User' },
];
const DEFAULT_GROUPS: SeedGroup[] = [
  { cn: 'printers', members: ['alice', 'carol', 'dave', 'weird(user)*'] },
  { cn: 'editors', members: ['alice'] },
  { cn: 'admins', members: ['carol'] },
];

/** A stand-in for the few Active Directory names the tests need (sAMAccountName). */
const AD_SCHEMA = `
attributetype ( 1.3.6.1.4.1.4203.666.11.9.1 NAME 'sAMAccountName'
  EQUALITY caseIgnoreMatch SUBSTR caseIgnoreSubstringsMatch
  SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 SINGLE-VALUE )
objectclass ( 1.3.6.1.4.1.4203.666.11.9.2 NAME 'gatehouseAdAccount'
  SUP top AUXILIARY MAY sAMAccountName )
`;

function findBinary(name: string): string {
  for (const dir of [...(process.env.PATH ?? '').split(':'), '/usr/sbin', '/usr/bin', '/sbin']) {
    if (!dir) continue;
    try {
      accessSync(join(dir, name), constants.X_OK);
      return join(dir, name);
    } catch { /* next */ }
  }
  throw new Error(
    `LDAP tests need OpenLDAP's ${name}, which is not installed. ` +
    'Install the Debian packages: apt-get install -y slapd ldap-utils (CI does this in .ci/run).',
  );
}

function findModulePath(): string {
  for (const dir of ['/usr/lib/ldap', '/usr/lib/x86_64-linux-gnu/ldap', '/usr/lib/aarch64-linux-gnu/ldap', '/usr/lib/openldap', '/usr/libexec/openldap']) {
    try {
      accessSync(join(dir, 'back_mdb.so'));
      accessSync(join(dir, 'memberof.so'));
      return dir;
    } catch { /* next */ }
  }
  throw new Error('slapd modules back_mdb and memberof not found (expected in /usr/lib/ldap; Debian package slapd)');
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, HOST, () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect(port, HOST);
    sock.once('connect', () => { sock.destroy(); resolve(true); });
    sock.once('error', () => resolve(false));
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function ldif(entries: Record<string, string | string[]>[]): string {
  return entries.map((e) => Object.entries(e).flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).map((x) => `${k}: ${x}`)).join('\n')).join('\n\n') + '\n';
}

/** Certificates for the test: a CA, a server certificate it signs (IP 127.0.0.1 + localhost), and an unrelated CA. */
function makeCerts(dir: string) {
  const openssl = findBinary('openssl');
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2'];
  const ca = (name: string, cn: string) => execFileSync(openssl, [
    'req', '-x509', ...ec, '-keyout', join(dir, `${name}.key`), '-out', join(dir, `${name}.pem`), '-subj', `/CN=${cn}`,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
  ], { stdio: 'pipe' });
  ca('ca', 'gatehouse test CA');
  ca('other-ca', 'some other CA');
  execFileSync(openssl, [
    'req', '-x509', '-CA', join(dir, 'ca.pem'), '-CAkey', join(dir, 'ca.key'), ...ec,
    '-keyout', join(dir, 'server.key'), '-out', join(dir, 'server.pem'), '-subj', `/CN=${HOST}`,
    '-addext', `subjectAltName=IP:${HOST},DNS:localhost`, '-addext', 'basicConstraints=critical,CA:FALSE',
    '-addext', 'extendedKeyUsage=serverAuth',
  ], { stdio: 'pipe' });
  return { caFile: join(dir, 'ca.pem'), otherCaFile: join(dir, 'other-ca.pem') };
}

export interface Slapd {
  /** ldap:// URL parts (plain and StartTLS). */
  host: string;
  port: number;
  /** ldaps:// port. */
  ldapsPort: number;
  dir: string;
  /** The CA that signed slapd's certificate. */
  caFile: string;
  /** A CA that did not sign it. */
  otherCaFile: string;
  pid(): number | undefined;
  /** Runs ldapadd / ldapmodify (as the rootdn) with this LDIF. */
  ldapadd(text: string): Promise<void>;
  ldapmodify(text: string): Promise<void>;
  ldapdelete(dn: string): Promise<void>;
  addUser(u: SeedUser): Promise<void>;
  addToGroup(group: string, uid: string): Promise<void>;
  removeFromGroup(group: string, uid: string): Promise<void>;
  /** Stops slapd (SIGTERM); the database stays for start(). */
  stop(): Promise<void>;
  /** Starts it again on the same ports with the same database. */
  start(): Promise<void>;
  /** Freezes the process (SIGSTOP): connections are accepted by the kernel but never answered. Resolves once every thread is stopped. */
  pause(): Promise<void>;
  resume(): void;
  /** Stops slapd and removes its directory. */
  close(): Promise<void>;
}

export async function startSlapd(o: { users?: SeedUser[]; groups?: SeedGroup[] } = {}): Promise<Slapd> {
  const slapdBin = findBinary('slapd');
  const slapadd = findBinary('slapadd');
  const tools = { ldapadd: findBinary('ldapadd'), ldapmodify: findBinary('ldapmodify'), ldapdelete: findBinary('ldapdelete') };
  const modulePath = findModulePath();
  const users = o.users ?? DEFAULT_USERS;
  const groups = o.groups ?? DEFAULT_GROUPS;

  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-slapd-'));
  const dbDir = join(dir, 'db');
  mkdirSync(dbDir);
  const { caFile, otherCaFile } = makeCerts(dir);
  writeFileSync(join(dir, 'ad.schema'), AD_SCHEMA);
  const conf = join(dir, 'slapd.conf');
  writeFileSync(conf, `
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
include ${join(dir, 'ad.schema')}
pidfile ${join(dir, 'slapd.pid')}
argsfile ${join(dir, 'slapd.args')}
modulepath ${modulePath}
moduleload back_mdb
moduleload memberof
TLSCACertificateFile ${caFile}
TLSCertificateFile ${join(dir, 'server.pem')}
TLSCertificateKeyFile ${join(dir, 'server.key')}
# LDAP's trap: a DN with an empty password is an "unauthenticated bind" that
# succeeds. Allow it here so the tests prove gatehouse refuses it itself.
allow bind_anon_dn

database mdb
maxsize 16777216
suffix "${BASE_DN}"
rootdn "${ADMIN_DN}"
rootpw ${ADMIN_PASSWORD}
directory ${dbDir}
index objectClass eq
index uid eq

overlay memberof
memberof-group-oc groupOfNames
memberof-member-ad member
memberof-memberof-ad memberOf
memberof-refint TRUE

access to attrs=userPassword
  by self write
  by anonymous auth
  by * none
access to *
  by * read
`);

  // Base entries and users, loaded offline.
  const base: Record<string, string | string[]>[] = [
    { dn: BASE_DN, objectClass: ['top', 'dcObject', 'organization'], o: 'Example', dc: 'example' },
    { dn: PEOPLE, objectClass: 'organizationalUnit', ou: 'people' },
    { dn: GROUPS, objectClass: 'organizationalUnit', ou: 'groups' },
    { dn: READER_DN, objectClass: ['organizationalRole', 'simpleSecurityObject'], cn: 'reader', userPassword: READER_PASSWORD },
    ...users.map(userEntry),
  ];
  writeFileSync(join(dir, 'seed.ldif'), ldif(base));
  execFileSync(slapadd, ['-q', '-f', conf, '-l', join(dir, 'seed.ldif')], { stdio: 'pipe' });

  let port = 0;
  let ldapsPort = 0;
  let child: ChildProcess | undefined;
  let stderr = '';
  const killOnExit = () => child?.kill('SIGKILL');
  process.on('exit', killOnExit);

  async function launch(): Promise<void> {
    stderr = '';
    const proc = spawn(slapdBin, ['-f', conf, '-h', `ldap://${HOST}:${port}/ ldaps://${HOST}:${ldapsPort}/ ldaps://${OTHER_LOOPBACK}:${ldapsPort}/`, '-d', '0'], { stdio: ['ignore', 'ignore', 'pipe'] });
    child = proc;
    proc.stderr!.on('data', (c) => { stderr = (stderr + String(c)).slice(-4000); });
    let exited: string | undefined;
    proc.once('exit', (code, signal) => { exited = `slapd exited (code ${code}, signal ${signal})`; });
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      if (exited) break;
      if ((await canConnect(port)) && (await canConnect(ldapsPort))) return;
      await sleep(15);
    }
    proc.kill('SIGKILL');
    throw new Error(`${exited ?? 'slapd did not start listening within 10 s'}: ${stderr.trim() || '(no output)'}`);
  }

  async function stop(): Promise<void> {
    const proc = child;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const gone = new Promise<void>((r) => proc.once('exit', () => r()));
    proc.kill('SIGCONT');
    proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
    await gone;
    clearTimeout(timer);
    child = undefined;
  }

  for (let attempt = 0; ; attempt++) {
    port = await freePort();
    ldapsPort = await freePort();
    try {
      await launch();
      break;
    } catch (err) {
      // another process may have taken a port between probing and binding
      if (attempt >= 2 || !/bind|address already in use/i.test(String(err))) {
        rmSync(dir, { recursive: true, force: true });
        throw err;
      }
    }
  }

  const uri = () => `ldap://${HOST}:${port}`;
  const run = (bin: string, args: string[], input?: string) => new Promise<void>((resolve, reject) => {
    const p = spawn(bin, ['-x', '-H', uri(), '-D', ADMIN_DN, '-w', ADMIN_PASSWORD, ...args], { stdio: ['pipe', 'ignore', 'pipe'] });
    let err = '';
    p.stderr.on('data', (c) => { err += String(c); });
    p.on('error', reject);
    p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${bin} ${args.join(' ')} failed (${code}): ${err.trim()}`))));
    p.stdin.end(input ?? '');
  });

  const s: Slapd = {
    host: HOST,
    get port() { return port; },
    get ldapsPort() { return ldapsPort; },
    dir, caFile, otherCaFile,
    pid: () => child?.pid,
    ldapadd: (text) => run(tools.ldapadd, [], text),
    ldapmodify: (text) => run(tools.ldapmodify, [], text),
    ldapdelete: (dn) => run(tools.ldapdelete, [dn]),
    addUser: (u) => run(tools.ldapadd, [], ldif([userEntry(u)])),
    addToGroup: (group, uid) => run(tools.ldapmodify, [], `dn: ${groupDn(group)}\nchangetype: modify\nadd: member\nmember: ${userDn(uid)}\n`),
    removeFromGroup: (group, uid) => run(tools.ldapmodify, [], `dn: ${groupDn(group)}\nchangetype: modify\ndelete: member\nmember: ${userDn(uid)}\n`),
    stop,
    start: launch,
    async pause() {
      const pid = child?.pid;
      if (pid === undefined) throw new Error('slapd is not running');
      child!.kill('SIGSTOP');
      // the stop takes effect when each thread is next scheduled: wait until all of them are stopped
      const deadline = Date.now() + 5000;
      while (!allThreadsStopped(pid)) {
        if (Date.now() > deadline) throw new Error('slapd did not stop on SIGSTOP');
        await sleep(5);
      }
    },
    resume: () => { child?.kill('SIGCONT'); },
    async close() {
      await stop();
      process.off('exit', killOnExit);
      rmSync(dir, { recursive: true, force: true });
    },
  };

  try {
    // Groups through the running server, so the memberof overlay fills memberOf.
    if (groups.length) {
      await s.ldapadd(ldif(groups.map((g) => ({
        dn: groupDn(g.cn), objectClass: 'groupOfNames', cn: g.cn,
        // groupOfNames must have a member: a placeholder keeps every group valid when its last user leaves
        member: [PLACEHOLDER_MEMBER, ...g.members.map(userDn)],
      }))));
    }
  } catch (err) {
    await s.close();
    throw err;
  }
  return s;
}

/** Linux: every thread of the process is in the stopped state (T). */
function allThreadsStopped(pid: number): boolean {
  try {
    return readdirSync(`/proc/${pid}/task`).every((tid) => {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      return /^[Tt]$/.test(stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3));
    });
  } catch {
    return false;
  }
}

function userEntry(u: SeedUser): Record<string, string | string[]> {
  const e: Record<string, string | string[]> = {
    dn: userDn(u.uid),
    objectClass: ['inetOrgPerson', ...(u.sAMAccountName ? ['gatehouseAdAccount'] : [])],
    uid: u.uid,
    cn: u.cn ?? u.uid,
    sn: (u.cn ?? u.uid).split(' ').pop()!,
    userPassword: u.password,
  };
  if (u.mail) e.mail = u.mail;
  if (u.sAMAccountName) e.sAMAccountName = u.sAMAccountName;
  return e;
}
