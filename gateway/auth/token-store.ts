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
    return true;
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
