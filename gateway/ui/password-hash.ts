/**
 * Sign-in passwords, hashed with scrypt (node:crypto) and a random salt per password; only the hash is kept.
 * The stored form names its parameters (`scrypt$N$r$p$salt$hash`), so the cost can rise later without
 * breaking the hashes already stored. scrypt runs on libuv's thread pool: hashing never blocks the engine.
 *
 * Bounds: passwords of `passwordCharsMin`..`passwordCharsMax` characters; N = 2^14 and r = 8 take 16 MiB
 * and tens of milliseconds per hash, which is what slows a guesser (with the per-login attempt limit).
 */
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

export const passwordCharsMin = 8;
export const passwordCharsMax = 200;
const costN = 16_384;
const blockSizeR = 8;
const parallelP = 1;
const keyBytes = 32;
const saltBytes = 16;
const memoryBytesMax = 64 * 1024 * 1024;

function derive(password: string, salt: Buffer, n: number, r: number, p: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFKC'), salt, keyBytes, { N: n, r, p, maxmem: memoryBytesMax }, (error, key) => {
      if (error === null) resolve(key);
      else reject(error);
    });
  });
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(saltBytes);
  const key = await derive(password, salt, costN, blockSizeR, parallelP);
  return `scrypt$${costN}$${blockSizeR}$${parallelP}$${salt.toString('base64')}$${key.toString('base64')}`;
}

/** True when `password` matches the stored hash; a malformed stored hash never matches. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [n, r, p] = [Number(parts[1]), Number(parts[2]), Number(parts[3])];
  if (![n, r, p].every((value) => Number.isInteger(value) && value > 0) || n > costN * 16) return false;
  const expected = Buffer.from(parts[5] as string, 'base64');
  const actual = await derive(password, Buffer.from(parts[4] as string, 'base64'), n, r, p);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/** A hash of nothing, checked against when the login is unknown, so the answer takes as long either way. */
export const decoyPasswordHash = `scrypt$${costN}$${blockSizeR}$${parallelP}$${Buffer.alloc(saltBytes).toString('base64')}$${Buffer.alloc(keyBytes).toString('base64')}`;
