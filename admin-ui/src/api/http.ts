/**
 * Partner API calls from the browser with the session's bearer token. A problem+json answer becomes an
 * ApiError carrying the problem; a 401 ends the session (the server no longer knows it).
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
  const headers: Record<string, string> = { accept: 'application/json' };
  const token = session()?.token;
  if (token !== undefined) headers['authorization'] = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(path, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const text = await response.text();
  const parsed: unknown = text === '' ? undefined : JSON.parse(text);
  if (!response.ok) {
    if (response.status === 401 && token !== undefined && !path.endsWith('/auth/login')) setSession(undefined);
    throw new ApiError(response.status, (parsed ?? { status: response.status }) as Problem);
  }
  return parsed as T;
}

/**
 * Fetches a file (a print form) with the token and returns an object URL for it, or the HTTP status with the
 * refusal in the UI's language (a busy or failed worker is a 503 problem the user can act on: retry).
 */
export async function fetchBlobUrl(path: string): Promise<{ url: string } | { status: number; message: string }> {
  const token = session()?.token;
  const response = await fetch(path, { headers: token === undefined ? {} : { authorization: `Bearer ${token}` } });
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
