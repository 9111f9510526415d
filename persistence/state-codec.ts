/**
 * Encoding of actor states for snapshots and state hashes. `structuredClone` mode keeps Maps, Sets and
 * undefined as they are, so a restored state is the same shape as the live one; the hash is SHA-256 over
 * every actor's address and encoded state in address order, so two engines with equal states hash equal.
 */
import { createHash } from 'node:crypto';
import { Packr } from 'msgpackr';

// Records (the default) keep plain objects apart from Maps; structuredClone keeps Maps, Sets and undefined.
const packr = new Packr({ structuredClone: true });

export function encodeState(state: unknown): Uint8Array {
  return packr.pack(state);
}

export function decodeState(bytes: Uint8Array): unknown {
  return packr.unpack(bytes);
}

/** Hash of a whole engine snapshot (`engine.snapshot()`), independent of object identity. */
export function stateHash(actors: Iterable<readonly [string, unknown]>): string {
  const hash = createHash('sha256');
  for (const [address, state] of actors) {
    hash.update(address);
    hash.update('\0');
    hash.update(encodeState(state));
  }
  return hash.digest('hex');
}
