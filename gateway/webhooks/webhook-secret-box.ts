/**
 * Webhook secrets at rest (docs/security.md): with `WEBHOOK_SECRETS_KEY` set (32 bytes, kept outside the data
 * directory — an environment file or a systemd credential), each subscription's secret is stored AES-256-GCM
 * encrypted, `enc1:<iv>:<tag>:<ciphertext>` (base64url), so a copy of the data directory or a backup does not
 * hold the secrets partners sign with. Without the key they are stored as given, in a file only the server's
 * user may read. Every delivery signs with the secret, so it is decrypted once, at start, and kept in memory.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

export const secretsKeyBytes = 32;
const prefix = 'enc1:';

/** The key from its setting: 64 hex digits or 32 bytes in base64 / base64url; undefined when malformed. */
export function parseSecretsKey(text: string): Buffer | undefined {
  const trimmed = text.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(trimmed) ? Buffer.from(trimmed, 'hex') : /^[A-Za-z0-9+/_-]{43}=?$/.test(trimmed) ? Buffer.from(trimmed, 'base64') : undefined;
  return key !== undefined && key.length === secretsKeyBytes ? key : undefined;
}

export function isSealed(stored: string): boolean {
  return stored.startsWith(prefix);
}

export function sealSecret(secret: string, key: Buffer): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const ciphertext = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
  return `${prefix}${iv.toString('base64url')}:${cipher.getAuthTag().toString('base64url')}:${ciphertext.toString('base64url')}`;
}

/** The secret in clear; throws when it is sealed and the key is missing or another. */
export function openSecret(stored: string, key: Buffer | undefined): string {
  if (!isSealed(stored)) return stored;
  if (key === undefined) throw new Error('webhook secrets are stored encrypted: set WEBHOOK_SECRETS_KEY to the key they were sealed with');
  const [iv, tag, ciphertext] = stored.slice(prefix.length).split(':') as [string, string, string];
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    throw new Error('a webhook secret does not open with WEBHOOK_SECRETS_KEY: the key is not the one it was sealed with');
  }
}
