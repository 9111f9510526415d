/**
 * The signed-in session: who it is and when it expires, kept in localStorage so a reload stays signed in (the
 * server still decides: a 401 or a 4001 close signs out). The session token itself is an HttpOnly cookie that
 * no script here can read (docs/security.md); the browser sends it with every API request and the socket.
 */
import type { UserView } from './types.ts';

export interface Session {
  readonly expiresAt: string;
  readonly user: UserView;
  readonly principal: { readonly id: string; readonly role: string; readonly label: string };
}

const storageKey = 'cd.session';
const listeners = new Set<(session: Session | undefined) => void>();
let current: Session | undefined = read();

function read(): Session | undefined {
  try {
    const raw = localStorage.getItem(storageKey);
    if (raw === null) return undefined;
    const session = JSON.parse(raw) as Session & { token?: unknown };
    // A token stored by an older version is not kept: the cookie is the session now.
    if ('token' in session) return undefined;
    return Date.parse(session.expiresAt) > Date.now() ? session : undefined;
  } catch {
    return undefined;
  }
}

export function session(): Session | undefined {
  return current;
}

export function setSession(next: Session | undefined): void {
  current = next;
  try {
    if (next === undefined) localStorage.removeItem(storageKey);
    else localStorage.setItem(storageKey, JSON.stringify(next));
  } catch {
    // Storage unavailable: the session lasts for this page.
  }
  for (const listener of listeners) listener(next);
}

export function onSession(listener: (session: Session | undefined) => void): () => void {
  listeners.add(listener);
  return () => void listeners.delete(listener);
}
