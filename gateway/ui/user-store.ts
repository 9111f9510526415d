/**
 * Sign-in users of the operator UI, in LMDB beside the tokens (one named database, `ui-accounts`, keys
 * `user/<login>`): a login, a scrypt hash of the password (never the password), a role and the clinic (and for
 * a doctor, the doctor) the user works for. Reads go to LMDB each time (a sign-in is rare, and the demo seed
 * writes users through its own handle), so every handle sees the same users.
 *
 * Bounds: `usersMax` users; logins match `loginPattern` (lower case, 3..64 characters).
 */
import type { Database } from 'lmdb';
import type { LmdbEnvironment } from '../../persistence/lmdb-environment.ts';
import type { Principal, Scope } from '../auth/principal.ts';
import { hashPassword } from './password-hash.ts';
import type { SessionRecord } from './session-store.ts';

export const accountDatabaseName = 'ui-accounts';
export const usersMax = 20_000;
export const loginPattern = /^[a-z0-9][a-z0-9._-]{2,63}$/;
export const uiRoles = ['admin', 'operator', 'doctor'] as const;
export type UiRole = (typeof uiRoles)[number];

export interface UserRecord {
  readonly kind: 'user';
  readonly login: string;
  readonly passwordHash: string;
  readonly role: UiRole;
  /** The clinic whose desk the user works at; an admin's is only the default view, its scope is the region. */
  readonly clinicId?: string;
  readonly doctorId?: string;
  readonly disabled: boolean;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export type UserView = Omit<UserRecord, 'kind' | 'passwordHash'>;

export interface UserInput {
  readonly login: string;
  readonly password: string;
  readonly role: UiRole;
  readonly clinicId?: string;
  readonly doctorId?: string;
}

export type UserPatch = Partial<Omit<UserInput, 'login'>> & { readonly disabled?: boolean };

/** A user the request cannot create or change, with the reason the caller can act on. */
export class UserError extends Error {
  override readonly name = 'UserError';
  readonly code: 'exists' | 'not_found' | 'full' | 'invalid';

  constructor(code: UserError['code'], message: string) {
    super(message);
    this.code = code;
  }
}

/** What the `ui-accounts` database holds: users and sign-in sessions (gateway/ui/session-store.ts). */
export type AccountValue = UserRecord | SessionRecord;

export class UserStore {
  readonly #db: Database<AccountValue, string>;

  constructor(environment: LmdbEnvironment) {
    this.#db = environment.openDatabase<AccountValue, string>(accountDatabaseName, {});
  }

  get(login: string): UserRecord | undefined {
    const value = this.#db.get(`user/${login}`);
    return value?.kind === 'user' ? value : undefined;
  }

  list(): UserView[] {
    const users: UserView[] = [];
    for (const { value } of this.#db.getRange({ start: 'user/', end: 'user0', limit: usersMax })) {
      if (value.kind === 'user') users.push(viewOf(value));
    }
    return users;
  }

  async create(input: UserInput, nowMs: number): Promise<UserView> {
    if (!loginPattern.test(input.login)) throw new UserError('invalid', 'a login is 3..64 characters: a-z, 0-9, dot, dash, underscore');
    if (this.get(input.login) !== undefined) throw new UserError('exists', `the login ${input.login} is taken`);
    if (this.#count() >= usersMax) throw new UserError('full', `at most ${usersMax} users`);
    const record: UserRecord = {
      kind: 'user', login: input.login, passwordHash: await hashPassword(input.password), role: input.role,
      ...placeOf(input), disabled: false, createdAt: nowMs, updatedAt: nowMs,
    };
    await this.#db.put(`user/${record.login}`, record);
    return viewOf(record);
  }

  /** Changes role, clinic, doctor, password or the disabled flag; the caller revokes the user's sessions. */
  async update(login: string, patch: UserPatch, nowMs: number): Promise<UserView> {
    const current = this.get(login);
    if (current === undefined) throw new UserError('not_found', `no user ${login}`);
    const role = patch.role ?? current.role;
    const place = patch.role === undefined && patch.clinicId === undefined && patch.doctorId === undefined
      ? placeOf(current)
      : placeOf({ role, clinicId: patch.clinicId ?? current.clinicId, doctorId: patch.doctorId ?? (role === 'doctor' ? current.doctorId : undefined) });
    const record: UserRecord = {
      kind: 'user', login, role, ...place,
      passwordHash: patch.password === undefined ? current.passwordHash : await hashPassword(patch.password),
      disabled: patch.disabled ?? current.disabled, createdAt: current.createdAt, updatedAt: nowMs,
    };
    await this.#db.put(`user/${login}`, record);
    return viewOf(record);
  }

  #count(): number {
    return this.#db.getKeysCount({ start: 'user/', end: 'user0' });
  }
}

function placeOf(input: { role: UiRole; clinicId?: string | undefined; doctorId?: string | undefined }): { clinicId?: string; doctorId?: string } {
  return {
    ...(input.clinicId === undefined ? {} : { clinicId: input.clinicId }),
    ...(input.role === 'doctor' && input.doctorId !== undefined ? { doctorId: input.doctorId } : {}),
  };
}

export function viewOf(record: UserRecord): UserView {
  const { kind: _kind, passwordHash: _hash, ...view } = record;
  return view;
}

/** What a signed-in user may see: the same scopes as tokens (gateway/auth/principal.ts). */
export function scopeOf(user: Pick<UserRecord, 'role' | 'clinicId' | 'doctorId'>): Scope {
  if (user.role === 'admin') return { kind: 'region' };
  if (user.role === 'doctor' && user.doctorId !== undefined && user.clinicId !== undefined) return { kind: 'doctor', clinicId: user.clinicId, doctorId: user.doctorId };
  return { kind: 'clinics', clinicIds: user.clinicId === undefined ? [] : [user.clinicId] };
}

/** Principal ids of users are `u.<login>`: stable across sessions (histories name the user), apart from token ids. */
export function principalOfUser(user: Pick<UserRecord, 'login' | 'role' | 'clinicId' | 'doctorId'>): Principal {
  return { id: `u.${user.login}`, role: user.role, scope: scopeOf(user), label: user.login };
}
