// Small JSON-over-HTTP helpers for the bench's set-up and checks (not for load: the generators use their own
// clients). Loopback only; every request bounded by `requestTimeoutMs`.

import { request } from 'undici';

export const requestTimeoutMs = 30_000;

export interface JsonResponse {
  readonly status: number;
  readonly body: unknown;
}

export async function httpJson(method: 'GET' | 'POST', url: string, token: string | undefined, body?: unknown): Promise<JsonResponse> {
  if (!url.startsWith('http://127.0.0.1:')) throw new Error(`bench http: loopback only, got ${url}`);
  const response = await request(url, {
    method,
    headers: {
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      accept: 'application/json',
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    headersTimeout: requestTimeoutMs,
    bodyTimeout: requestTimeoutMs,
  });
  const text = await response.body.text();
  let parsed: unknown = text;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    // Not JSON: keep the text for the error message.
  }
  return { status: response.statusCode, body: parsed };
}

/** The ids of the free slots of a clinic (ascending as the server lists them), up to `limit`. */
export async function freeSlotIds(baseUrl: string, token: string, clinicId: string, limit: number): Promise<string[]> {
  const response = await httpJson('GET', `${baseUrl}/api/v1/slots?clinicId=${encodeURIComponent(clinicId)}&status=free&limit=${limit}`, token);
  if (response.status !== 200 || !Array.isArray(response.body)) {
    throw new Error(`GET slots of ${clinicId}: ${response.status} ${JSON.stringify(response.body).slice(0, 300)}`);
  }
  return (response.body as readonly unknown[]).flatMap((slot) => {
    const id: unknown = typeof slot === 'object' && slot !== null ? Reflect.get(slot, 'id') : undefined;
    return typeof id === 'string' ? [id] : [];
  });
}
