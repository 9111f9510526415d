/**
 * Partner API calls from the browser, authenticated by the HttpOnly session cookie (sent by the browser, same
 * origin), with `X-Requested-With: clinic-dispatch`, which the server requires of cookie-authenticated writes
 * (CSRF). A problem+json answer becomes an ApiError carrying the problem; a 401 ends the session.
 */
import { session, setSession } from './session.ts';
import type { Problem } from './types.ts';
import { problemText } from '../i18n/problems.ts';

export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly status: number;
  readonly problem: Problem;

  constructor(status: number, problem: Problem) {
    // In the UI's language by the problem's stable reason or code; the server's English detail only as a fallback.
    super(problemText(problem, status));
    this.status = status;
    this.problem = problem;
  }
}

export async function api<T>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json', 'x-requested-with': 'clinic-dispatch' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const signedIn = session() !== undefined;
  const response = await fetch(path, { method, headers, credentials: 'same-origin', ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const text = await response.text();
  const parsed: unknown = text === '' ? undefined : JSON.parse(text);
  if (!response.ok) {
    if (response.status === 401 && signedIn && !path.endsWith('/auth/login')) setSession(undefined);
    throw new ApiError(response.status, (parsed ?? { status: response.status }) as Problem);
  }
  return parsed as T;
}

/**
 * Fetches a file (a print form) with the session cookie and returns an object URL for it, or the HTTP status
 * with the refusal in the UI's language (a busy or failed worker is a 503 problem the user can act on: retry).
 */
export async function fetchBlobUrl(path: string): Promise<{ url: string } | { status: number; message: string }> {
  const response = await fetch(path, { credentials: 'same-origin', headers: { 'x-requested-with': 'clinic-dispatch' } });
  if (!response.ok) {
    const problem = (response.headers.get('content-type') ?? '').includes('json') ? (await response.json().catch(() => undefined)) as Problem | undefined : undefined;
    return { status: response.status, message: problemText(problem, response.status) };
  }
  return { url: URL.createObjectURL(await response.blob()) };
}

export function query(params: Readonly<Record<string, string | undefined>>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) if (value !== undefined && value !== '') search.set(name, value);
  const text = search.toString();
  return text === '' ? '' : `?${text}`;
}
