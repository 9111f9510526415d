/**
 * `npm run admin -- <command>`: offline administration of a data directory, for a deployment without the demo
 * (DEMO=false), where nothing else hands out the first admin token or login (ops/README.md "First admin").
 *
 *   token issue --role admin|partner|operator|doctor --label <text> [--clinic <id>[,<id>...]] [--doctor <id>]
 *   token list
 *   token revoke --id <token id>
 *   user create --login <login> --role admin|operator|doctor [--clinic <id>] [--doctor <id>] [--password-stdin]
 *   (every command takes --data-dir <dir>; default DATA_DIR, else ./data)
 *
 * Whether it may run beside the server: LMDB itself is multi-process safe, so the question is what the running
 * server would see. It reads sign-in users from LMDB at every sign-in, so `user create` works while it runs;
 * it caches tokens at start (gateway/auth/token-store.ts), so a token issued or revoked behind its back would
 * not take effect until a restart. `token issue` and `token revoke` therefore refuse while any process maps the
 * data file, and say so; `token list` only reads.
 *
 * The token is printed once, on stdout, and stored only as a hash. A password comes on stdin
 * (`--password-stdin`, never on the command line, where it would land in the shell history), or one is
 * generated and printed once.
 *
 * Exit codes: 0 done, 2 bad arguments or refused (with a one-line reason on stderr).
 */
import { existsSync, readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { LmdbEnvironment } from '../persistence/lmdb-environment.ts';
import { TokenStore, tokenDatabaseName } from '../gateway/auth/token-store.ts';
import type { Role, Scope } from '../gateway/auth/principal.ts';
import { UserError, UserStore, uiRoles, type UiRole } from '../gateway/ui/user-store.ts';
import { passwordCharsMax, passwordCharsMin } from '../gateway/ui/password-hash.ts';
import { Replica } from '../workers/replica.ts';
import { lmdbDataFileName } from './backup-manifest.ts';
import { processesMapping } from './restore-backup.ts';

export const adminUsage = `Usage: npm run admin -- <command> [--data-dir <dir>]

  token issue --role admin|partner|operator|doctor --label <text> [--clinic <id>[,<id>...]] [--doctor <id>]
  token list
  token revoke --id <token id>
  user create --login <login> --role admin|operator|doctor [--clinic <id>] [--doctor <id>] [--password-stdin]

--data-dir defaults to DATA_DIR, else ./data. token issue/revoke refuse while the server runs (it caches
tokens at start); user create and token list may run beside it. See ops/README.md "First admin".`;

const tokenRoles: readonly Role[] = ['admin', 'partner', 'operator', 'doctor'];
/** Labels name a token in lists and logs; longer text is a mistake. */
export const tokenLabelCharsMax = 200;

/** Bad arguments or a refusal: a one-line message, exit 2. */
export class AdminCliError extends Error {
  override readonly name = 'AdminCliError';
}

export interface AdminIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  /** The text on stdin, for --password-stdin. */
  readonly stdin: () => string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly nowMs: () => number;
}

const options = {
  'data-dir': { type: 'string' }, role: { type: 'string' }, label: { type: 'string' }, clinic: { type: 'string' }, doctor: { type: 'string' },
  id: { type: 'string' }, login: { type: 'string' }, 'password-stdin': { type: 'boolean' }, help: { type: 'boolean' },
} as const;

export async function adminMain(argv: readonly string[], io: AdminIo): Promise<number> {
  try {
    const { values, positionals } = parseArgsOrRefuse(argv);
    if (values.help === true || positionals.length === 0) {
      io.out(adminUsage);
      return values.help === true ? 0 : 2;
    }
    const dataDir = resolve(values['data-dir'] ?? (io.env['DATA_DIR'] || './data'));
    const command = positionals.join(' ');
    const allowed: Record<string, readonly string[]> = {
      'token issue': ['role', 'label', 'clinic', 'doctor'], 'token list': [], 'token revoke': ['id'], 'user create': ['login', 'role', 'clinic', 'doctor', 'password-stdin'],
    };
    const accepted = allowed[command];
    if (accepted === undefined) throw new AdminCliError(`unknown command "${command}"`);
    for (const name of Object.keys(values)) {
      if (name !== 'data-dir' && !accepted.includes(name)) throw new AdminCliError(`${command} takes no --${name}`);
    }
    if (!existsSync(join(dataDir, lmdbDataFileName))) throw new AdminCliError(`no data directory at ${dataDir} (no ${lmdbDataFileName}): start the server once on it, or give --data-dir`);
    if (command === 'token issue') await tokenIssue(dataDir, values, io);
    else if (command === 'token list') await tokenList(dataDir, io);
    else if (command === 'token revoke') await tokenRevoke(dataDir, values, io);
    else await userCreate(dataDir, values, io);
    return 0;
  } catch (error) {
    if (!(error instanceof AdminCliError) && !(error instanceof UserError)) throw error;
    io.err(`admin: ${error.message}`);
    return 2;
  }
}

type Values = { readonly [K in keyof typeof options]?: (typeof options)[K]['type'] extends 'boolean' ? boolean : string };

function parseArgsOrRefuse(argv: readonly string[]): { values: Values; positionals: string[] } {
  try {
    const parsed = parseArgs({ args: [...argv], options, strict: true, allowPositionals: true });
    return { values: parsed.values as Values, positionals: parsed.positionals };
  } catch (error) {
    throw new AdminCliError(`${error instanceof Error ? error.message : String(error)} (see --help)`);
  }
}

function required(values: Values, name: 'role' | 'label' | 'id' | 'login'): string {
  const value = values[name];
  if (value === undefined || value.trim() === '') throw new AdminCliError(`give --${name}`);
  return value;
}

/** Tokens are cached by the running server: a change now would not be seen until its restart. */
function refuseWhileServed(dataDir: string, what: string): void {
  const holders = processesMapping(join(dataDir, lmdbDataFileName));
  if (holders.length > 0) {
    throw new AdminCliError(`${dataDir} is open in process ${holders.join(', ')} (the server?): it caches tokens at start and would not see this ${what}. Stop it, run this again, then start it`);
  }
}

/** The clinics and doctors of the directory, read as the workers read it (read-only, beside a live server too). */
async function directoryOf(dataDir: string): Promise<{ clinics: ReadonlySet<string>; doctorClinic: ReadonlyMap<string, string> }> {
  const replica = Replica.open(dataDir);
  try {
    replica.catchUp();
    const region = replica.read.region();
    return { clinics: new Set(region.clinics.keys()), doctorClinic: new Map([...region.doctors].map(([id, doctor]) => [id, doctor.clinicId])) };
  } finally {
    await replica.close();
  }
}

async function scopeOf(dataDir: string, role: Role, clinicList: string | undefined, doctorId: string | undefined): Promise<Scope> {
  if (role === 'admin' || role === 'partner') {
    if (clinicList !== undefined || doctorId !== undefined) throw new AdminCliError(`an ${role} token covers the region: give no --clinic or --doctor`);
    return { kind: 'region' };
  }
  const clinicIds = (clinicList ?? '').split(',').map((id) => id.trim()).filter((id) => id !== '');
  if (clinicIds.length === 0) throw new AdminCliError(`an ${role} token needs --clinic`);
  const directory = await directoryOf(dataDir);
  for (const clinicId of clinicIds) if (!directory.clinics.has(clinicId)) throw new AdminCliError(`no clinic ${clinicId} in ${dataDir}`);
  if (role === 'operator') {
    if (doctorId !== undefined) throw new AdminCliError('an operator token takes no --doctor');
    return { kind: 'clinics', clinicIds };
  }
  if (clinicIds.length !== 1 || doctorId === undefined) throw new AdminCliError('a doctor token needs one --clinic and --doctor');
  if (directory.doctorClinic.get(doctorId) !== clinicIds[0]) throw new AdminCliError(`no doctor ${doctorId} in clinic ${clinicIds[0] ?? ''}`);
  return { kind: 'doctor', clinicId: clinicIds[0] as string, doctorId };
}

async function withEnvironment<T>(dataDir: string, work: (environment: LmdbEnvironment) => Promise<T>): Promise<T> {
  const environment = LmdbEnvironment.open({ path: dataDir });
  try {
    return await work(environment);
  } finally {
    await environment.close();
  }
}

async function tokenIssue(dataDir: string, values: Values, io: AdminIo): Promise<void> {
  const role = required(values, 'role') as Role;
  if (!tokenRoles.includes(role)) throw new AdminCliError(`--role must be one of ${tokenRoles.join(', ')}`);
  const label = required(values, 'label');
  if (label.length > tokenLabelCharsMax) throw new AdminCliError(`--label is at most ${tokenLabelCharsMax} characters`);
  refuseWhileServed(dataDir, 'new token');
  const scope = await scopeOf(dataDir, role, values.clinic, values.doctor);
  const issued = await withEnvironment(dataDir, (environment) => new TokenStore(environment).issue(role, scope, label, io.nowMs()));
  io.out(JSON.stringify({ token: issued.token, id: issued.principal.id, role, scope, label }));
}

interface StoredToken {
  readonly id: string;
  readonly role: Role;
  readonly scope: Scope;
  readonly label: string;
  readonly createdAt: number;
  readonly disabled: boolean;
}

async function tokenList(dataDir: string, io: AdminIo): Promise<void> {
  const environment = LmdbEnvironment.open({ path: dataDir, readOnly: true });
  try {
    const db = environment.openDatabase<StoredToken, string>(tokenDatabaseName, {});
    for (const { value } of db.getRange()) {
      // Never the hash: id, role, scope, label, dates.
      io.out(JSON.stringify({ id: value.id, role: value.role, scope: value.scope, label: value.label, createdAt: new Date(value.createdAt).toISOString(), disabled: value.disabled }));
    }
  } finally {
    await environment.close();
  }
}

async function tokenRevoke(dataDir: string, values: Values, io: AdminIo): Promise<void> {
  const id = required(values, 'id');
  refuseWhileServed(dataDir, 'revocation');
  const revoked = await withEnvironment(dataDir, (environment) => new TokenStore(environment).disable(id));
  if (!revoked) throw new AdminCliError(`no token ${id} (see token list)`);
  io.out(JSON.stringify({ revoked: id }));
}

async function userCreate(dataDir: string, values: Values, io: AdminIo): Promise<void> {
  const login = required(values, 'login');
  const role = required(values, 'role') as UiRole;
  if (!uiRoles.includes(role)) throw new AdminCliError(`--role must be one of ${uiRoles.join(', ')}`);
  const clinicId = values.clinic;
  const doctorId = values.doctor;
  if (role !== 'admin' && clinicId === undefined) throw new AdminCliError(`an ${role} needs --clinic`);
  if (role !== 'doctor' && doctorId !== undefined) throw new AdminCliError(`an ${role} takes no --doctor`);
  if (clinicId !== undefined || doctorId !== undefined) {
    const directory = await directoryOf(dataDir);
    if (clinicId !== undefined && !directory.clinics.has(clinicId)) throw new AdminCliError(`no clinic ${clinicId} in ${dataDir}`);
    if (role === 'doctor' && (doctorId === undefined || directory.doctorClinic.get(doctorId) !== clinicId)) throw new AdminCliError(`a doctor login needs --doctor, a doctor of clinic ${clinicId ?? ''}`);
  }
  const generated = values['password-stdin'] !== true;
  const password = generated ? randomBytes(18).toString('base64url') : io.stdin().split(/\r?\n/)[0] ?? '';
  if (password.length < passwordCharsMin || password.length > passwordCharsMax) throw new AdminCliError(`the password is ${passwordCharsMin}..${passwordCharsMax} characters`);
  const user = await withEnvironment(dataDir, (environment) => new UserStore(environment).create({
    login, password, role, ...(clinicId === undefined ? {} : { clinicId }), ...(doctorId === undefined ? {} : { doctorId }),
  }, io.nowMs()));
  io.out(JSON.stringify({ user, ...(generated ? { password } : {}) }));
}

if (process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/^.*\//, '/'))) {
  process.exitCode = await adminMain(process.argv.slice(2), {
    out: (line) => console.log(line),
    err: (line) => console.error(line),
    stdin: () => readFileSync(0, 'utf8'),
    env: process.env,
    nowMs: () => Date.now(),
  });
}
