// One booking attempt as a clinic's client makes it, the same against our partner API and the pg peer (both
// take `POST /api/v1/slots/:id/hold` → 201 {holdId} and `POST /api/v1/appointments` {slotId, holdId, source,
// patient} → 201 {id}): hold the slot, and if the hold was granted, book it with the hold. Every answer is
// classified: 201 won, 409 lost the race (a decision too), anything else an error. The slot is picked from
// the "hot window" of the moment: every `windowMs` the window moves on to the next `hot` slots of the list,
// so thousands of clients across processes race for the same few slots at any instant. The requests go over
// the caller's connection (a `RawHttpConnection`: the generators share the CPU with the servers they measure).

import type { RawHttpRequester } from './raw-http-client.ts';

export const attemptBodyBytesMax = 64 * 1024;

export interface HotWindow {
  readonly slots: readonly string[];
  readonly hot: number;
  readonly windowMs: number;
  readonly startAtEpochMs: number;
}

export function slotAt(window: HotWindow, nowEpochMs: number, random: number): string {
  const windowIndex = Math.max(0, Math.floor((nowEpochMs - window.startAtEpochMs) / window.windowMs));
  const position = (windowIndex * window.hot + Math.floor(random * window.hot)) % Math.max(1, window.slots.length);
  return window.slots[position] ?? '';
}

export type AttemptOutcome =
  | { readonly kind: 'booked'; readonly slotId: string; readonly appointmentId: string; readonly requests: 2 }
  | { readonly kind: 'lost-hold'; readonly requests: 1 }
  | { readonly kind: 'lost-book'; readonly requests: 2 }
  | { readonly kind: 'error'; readonly status: number; readonly requests: number };

/** The constant header lines of one client's requests, rendered once per client (Host is the connection's). */
export function bookingHeaders(token: string | undefined): string {
  return `Content-Type: application/json\r\n${token === undefined ? '' : `Authorization: Bearer ${token}\r\n`}`;
}

async function post(connection: RawHttpRequester, path: string, headers: string, body: unknown, timeoutMs: number): Promise<{ status: number; body: unknown }> {
  const response = await connection.request('POST', path, headers, JSON.stringify(body ?? {}), timeoutMs);
  const text = response.body.toString('utf8');
  if (text.length > attemptBodyBytesMax) return { status: response.status, body: undefined };
  let parsed: unknown;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: response.status, body: parsed };
}

function field(body: unknown, name: string): string | undefined {
  const value: unknown = typeof body === 'object' && body !== null ? Reflect.get(body, name) : undefined;
  return typeof value === 'string' ? value : undefined;
}

export function attemptPatient(worker: number, client: number, attempt: number): { readonly [field: string]: string } {
  const policy = `8${String(worker).padStart(2, '0')}${String(client).padStart(5, '0')}${String(attempt).padStart(8, '0')}`;
  return {
    policy, surname: `Гонкин-${worker}-${client}`, name: `Пациент-${attempt}`, birthDate: '1980-05-06', sex: attempt % 2 === 0 ? 'F' : 'M',
    phone: `+7913${String(client % 100_000).padStart(5, '0')}${String(attempt % 100).padStart(2, '0')}`,
  };
}

/** `headers`: the client's `bookingHeaders`. */
export async function attemptBooking(connection: RawHttpRequester, headers: string, slotId: string,
  patient: { readonly [field: string]: string }, timeoutMs: number): Promise<AttemptOutcome> {
  const hold = await post(connection, `/api/v1/slots/${encodeURIComponent(slotId)}/hold`, headers, {}, timeoutMs);
  if (hold.status === 409) return { kind: 'lost-hold', requests: 1 };
  const holdId = field(hold.body, 'holdId');
  if (hold.status !== 201 || holdId === undefined) return { kind: 'error', status: hold.status, requests: 1 };
  const book = await post(connection, '/api/v1/appointments', headers, { slotId, holdId, source: 'registry', patient }, timeoutMs);
  if (book.status === 409) return { kind: 'lost-book', requests: 2 };
  const appointmentId = field(book.body, 'id');
  if (book.status !== 201 || appointmentId === undefined) return { kind: 'error', status: book.status, requests: 2 };
  return { kind: 'booked', slotId, appointmentId: String(appointmentId), requests: 2 };
}
