/**
 * Bearer tokens, stored hashed (SHA-256 of the secret) in LMDB beside the log, each with a role and a scope.
 * A token reads `cdt_<id>_<secret>`: the id finds the record, the secret is compared in constant time. The
 * secret itself is shown once, when the token is made, and never written to disk or logged; in memory, the
 * last secret verified for each token is kept for the constant-time fast path below (a heap dump of the
 * server therefore holds live tokens, as its open sockets' sessions do anyway).
 *
 * Bounds: `tokensMax` tokens (all cached in memory: a region has thousands of operators, not millions).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Database } from 'lmdb';
import type { LmdbEnvironment } from '../../persistence/lmdb-environment.ts';
import type { Principal, Role, Scope } from './principal.ts';

export const tokensMax = 100_000;
export const tokenDatabaseName = 'auth-tokens';
const tokenPattern = /^cdt_([a-z0-9]{16})_([A-Za-z0-9_-]{43})$/;

/**
 * What ends a credential or a principal, announced to whoever holds on to one past a single request: the
 * operator socket closes the sockets that were opened with it (4001) and the webhook dispatcher stops the
 * subscriptions a principal made (docs/security.md, items 3 and "webhooks stop with their principal").
 */
export type PrincipalChange =
  /** One bearer credential ended: an API token disabled, a sign-in session signed out or ended by an admin. */
  | { readonly kind: 'credential-revoked'; readonly credentialId: string }
  /** The principal itself may no longer act: a disabled token, a disabled user. */
  | { readonly kind: 'principal-disabled'; readonly principalId: string }
  /** A disabled user was enabled again. */
  | { readonly kind: 'principal-enabled'; readonly principalId: string };

const credentialPattern = /^(cd[st]_[a-z0-9]{16})_/;

/** The part of a bearer token that names it without its secret (`cdt_<id>`, `cds_<id>`); '' for anything else. */
export function credentialIdOf(token: string): string {
  return credentialPattern.exec(token)?.[1] ?? '';
}

interface TokenRecord {
  readonly id: string;
  readonly secretHash: string;
  readonly role: Role;
  readonly scope: Scope;
  readonly label: string;
  readonly createdAt: number;
  readonly disabled: boolean;
}

export class TokenStore {
  readonly #db: Database<TokenRecord, string>;
  readonly #cache = new Map<string, TokenRecord>();
  /**
   * The secret last verified for each token id, with its principal: a socket re-checks its token before every
   * command and a partner sends it with every request, and a SHA-256 per check was ~2% of the server's CPU.
   * The next check compares against it in constant time instead; disabling the token drops it.
   */
  readonly #verified = new Map<string, { readonly secret: Uint8Array; readonly principal: Principal }>();
  /** Other bearer credentials (the UI's sign-in sessions), asked for any token that is not a `cdt_` one. */
  readonly #otherVerifiers: Array<(token: string) => Principal | undefined> = [];
  /** Whether a principal that is not a token (a signed-in user, `u.<login>`) may still act; asked in order. */
  readonly #otherPrincipals: Array<(principalId: string) => boolean | undefined> = [];
  readonly #listeners: Array<(change: PrincipalChange) => void> = [];

  constructor(environment: LmdbEnvironment) {
    this.#db = environment.openDatabase<TokenRecord, string>(tokenDatabaseName, {});
    for (const { value } of this.#db.getRange()) this.#cache.set(value.id, value);
  }

  get size(): number {
    return this.#cache.size;
  }

  /** Makes a token and returns it in clear, once. Resolves when it is durable. */
  async issue(role: Role, scope: Scope, label: string, nowMs: number): Promise<{ token: string; principal: Principal }> {
    if (this.#cache.size >= tokensMax) throw new Error(`at most ${tokensMax} tokens`);
    const id = randomBytes(10).toString('hex').slice(0, 16);
    const secret = randomBytes(32).toString('base64url');
    const record: TokenRecord = { id, secretHash: hashSecret(secret), role, scope, label, createdAt: nowMs, disabled: false };
    await this.#db.put(id, record);
    this.#cache.set(id, record);
    return { token: `cdt_${id}_${secret}`, principal: principalOf(record) };
  }

  async disable(id: string): Promise<boolean> {
    const record = this.#cache.get(id);
    if (record === undefined) return false;
    const disabled = { ...record, disabled: true };
    await this.#db.put(id, disabled);
    this.#cache.set(id, disabled);
    this.#verified.delete(id);
    this.announce({ kind: 'credential-revoked', credentialId: `cdt_${id}` });
    this.announce({ kind: 'principal-disabled', principalId: id });
    return true;
  }

  /** Listens for credentials and principals that end (and users enabled again). */
  onChange(listener: (change: PrincipalChange) => void): void {
    this.#listeners.push(listener);
  }

  /** Tells every listener; a listener that throws does not keep the others from hearing it. */
  announce(change: PrincipalChange): void {
    for (const listener of this.#listeners) {
      try {
        listener(change);
      } catch {
        // A listener's own failure is its to log; the change has happened either way.
      }
    }
  }

  /** Answers `isActive` for principals that are not tokens (gateway/ui registers its users). */
  knowPrincipals(check: (principalId: string) => boolean | undefined): void {
    this.#otherPrincipals.push(check);
  }

  /** Whether the principal may still act: a known, enabled token, or a principal another store vouches for. */
  isActive(principalId: string): boolean {
    const record = this.#cache.get(principalId);
    if (record !== undefined) return !record.disabled;
    for (const check of this.#otherPrincipals) {
      const active = check(principalId);
      if (active !== undefined) return active;
    }
    return false;
  }

  /**
   * Accepts another kind of bearer credential everywhere tokens are checked (the API pipeline, the socket's
   * upgrade and its per-command re-check): gateway/ui registers its sign-in sessions here.
   */
  acceptAlso(verifier: (token: string) => Principal | undefined): void {
    this.#otherVerifiers.push(verifier);
  }

  /** The principal of a bearer token, or undefined when it is unknown, malformed, wrong or disabled. */
  verify(token: string): Principal | undefined {
    const match = tokenPattern.exec(token);
    if (match === null) {
      for (const verifier of this.#otherVerifiers) {
        const principal = verifier(token);
        if (principal !== undefined) return principal;
      }
      return undefined;
    }
    const id = match[1] as string;
    const record = this.#cache.get(id);
    if (record === undefined || record.disabled) return undefined;
    // The pattern fixes the secret at 43 ASCII characters, so both buffers have the same length.
    const presented = Buffer.from(match[2] as string, 'latin1');
    const known = this.#verified.get(id);
    if (known !== undefined) return timingSafeEqual(known.secret, presented) ? known.principal : undefined;
    const expected = Buffer.from(record.secretHash, 'hex');
    const actual = createHash('sha256').update(presented).digest();
    if (!timingSafeEqual(expected, actual)) return undefined;
    const principal = principalOf(record);
    // A copy in memory of its own: `presented` may be a slice of Node's shared 8 KB pool.
    this.#verified.set(id, { secret: new Uint8Array(presented), principal });
    return principal;
  }
}

function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

function principalOf(record: TokenRecord): Principal {
  return { id: record.id, role: record.role, scope: record.scope, label: record.label };
}
