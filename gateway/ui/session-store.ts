/**
 * Sign-in sessions: short-lived bearer tokens `cds_<id>_<secret>` that the pipeline and the operator socket
 * accept like API tokens (TokenStore.acceptAlso). The secret is stored as its SHA-256 only and compared in
 * constant time; a session carries the user's role and scope as they were at sign-in, so changing or disabling
 * a user revokes its sessions. Sessions live in memory for the per-request check and in LMDB (`session/<id>`
 * in the `ui-accounts` database) so a restart does not sign everyone out.
 *
 * An expired session is swept within `expirySweepIntervalMs` (gateway/ui/ui-extension.ts), which closes its
 * open sockets with 4001 (docs/security.md).
 *
 * Bounds: a session lives `sessionTtlMsDefault` (one shift) unless signed out; at most `sessionsMax` at once
 * — past it expired ones are swept and then the oldest is signed out to make room.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Database } from 'lmdb';
import type { LmdbEnvironment } from '../../persistence/lmdb-environment.ts';
import type { Principal } from '../auth/principal.ts';
import { accountDatabaseName, principalOfUser, type AccountValue, type UiRole, type UserRecord } from './user-store.ts';

export const sessionTtlMsDefault = 12 * 60 * 60 * 1000;
export const sessionsMax = 50_000;
/** How often expired sessions are swept (and their sockets closed). */
export const expirySweepIntervalMs = 1_000;
const sessionPattern = /^cds_([a-z0-9]{16})_([A-Za-z0-9_-]{43})$/;

export interface SessionRecord {
  readonly kind: 'session';
  readonly id: string;
  readonly secretHash: string;
  readonly login: string;
  readonly role: UiRole;
  readonly clinicId?: string;
  readonly doctorId?: string;
  readonly createdAt: number;
  readonly expiresAt: number;
}

export class SessionStore {
  readonly #db: Database<AccountValue, string>;
  readonly #sessions = new Map<string, SessionRecord>();
  /** Principals handed out by `verify`, to their session: sign-out knows which session a request came with. */
  readonly #issued = new WeakMap<Principal, string>();
  readonly #ttlMs: number;
  readonly #endedListeners: Array<(credentialIds: readonly string[]) => void> = [];

  constructor(environment: LmdbEnvironment, nowMs: number, ttlMs = sessionTtlMsDefault) {
    this.#db = environment.openDatabase<AccountValue, string>(accountDatabaseName, {});
    this.#ttlMs = ttlMs;
    for (const { value } of this.#db.getRange({ start: 'session/', end: 'session0' })) {
      if (value.kind === 'session' && value.expiresAt > nowMs) this.#sessions.set(value.id, value);
    }
  }

  get size(): number {
    return this.#sessions.size;
  }

  /** Opens a session for a user whose password was checked; the token is returned in clear, once. */
  async open(user: UserRecord, nowMs: number): Promise<{ token: string; expiresAt: number; principal: Principal }> {
    if (this.#sessions.size >= sessionsMax) await this.#makeRoom(nowMs);
    const id = randomBytes(10).toString('hex').slice(0, 16);
    const secret = randomBytes(32).toString('base64url');
    const record: SessionRecord = {
      kind: 'session', id, secretHash: hashOf(secret), login: user.login, role: user.role,
      ...(user.clinicId === undefined ? {} : { clinicId: user.clinicId }),
      ...(user.doctorId === undefined ? {} : { doctorId: user.doctorId }),
      createdAt: nowMs, expiresAt: nowMs + this.#ttlMs,
    };
    await this.#db.put(`session/${id}`, record);
    this.#sessions.set(id, record);
    return { token: `cds_${id}_${secret}`, expiresAt: record.expiresAt, principal: principalOfUser(record) };
  }

  /** The principal of a live session token, or undefined (unknown, malformed, wrong secret, expired). */
  verify(token: string, nowMs: number): Principal | undefined {
    const match = sessionPattern.exec(token);
    if (match === null) return undefined;
    const record = this.#sessions.get(match[1] as string);
    if (record === undefined || record.expiresAt <= nowMs) return undefined;
    const expected = Buffer.from(record.secretHash, 'hex');
    if (!timingSafeEqual(expected, Buffer.from(hashOf(match[2] as string), 'hex'))) return undefined;
    const principal = principalOfUser(record);
    this.#issued.set(principal, record.id);
    return principal;
  }

  /** Signs out the session a request was authenticated with; false when the principal came from an API token. */
  async close(principal: Principal): Promise<boolean> {
    const id = this.#issued.get(principal);
    if (id === undefined || !this.#sessions.has(id)) return false;
    await this.#drop([id]);
    return true;
  }

  /** Signs out every session of a login (the user was disabled or changed); returns how many. */
  async closeAllOf(login: string): Promise<number> {
    const ids = [...this.#sessions.values()].filter((session) => session.login === login).map((session) => session.id);
    await this.#drop(ids);
    return ids.length;
  }

  /** Ends the sessions whose expiry has passed (their sockets hear it through `onEnded`); returns how many. */
  async sweepExpired(nowMs: number): Promise<number> {
    const expired = [...this.#sessions.values()].filter((session) => session.expiresAt <= nowMs).map((session) => session.id);
    await this.#drop(expired);
    return expired.length;
  }

  async #makeRoom(nowMs: number): Promise<void> {
    const expired = [...this.#sessions.values()].filter((session) => session.expiresAt <= nowMs).map((session) => session.id);
    await this.#drop(expired);
    const oldest = this.#sessions.keys().next();
    if (this.#sessions.size >= sessionsMax && oldest.done !== true) await this.#drop([oldest.value]);
  }

  /** Hears the credential ids (`cds_<id>`) of sessions that end: sign-out, an admin's change, making room. */
  onEnded(listener: (credentialIds: readonly string[]) => void): void {
    this.#endedListeners.push(listener);
  }

  async #drop(ids: readonly string[]): Promise<void> {
    for (const id of ids) this.#sessions.delete(id);
    if (ids.length > 0) await this.#db.transaction(() => { for (const id of ids) void this.#db.remove(`session/${id}`); });
    if (ids.length > 0) for (const listener of this.#endedListeners) listener(ids.map((id) => `cds_${id}`));
  }
}

function hashOf(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}
