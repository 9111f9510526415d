// The partner API requests of the partner-http scenario, built the same way for autocannon (throughput) and
// for our open-loop driver (latency): create a call (a new patient each time, so the one-open-call rule never
// refuses it), search a patient's calls by policy, list a clinic's free slots, hold a slot then book it with
// the hold (two requests, the second using the first's answer), and post a call-out robot's results for
// booked appointments (attempt numbers cycle, so most items are repeats the engine answers without a change).

import { benchStreet } from './bench-region.ts';

export const partnerEndpoints = ['create-call', 'search-calls', 'free-slots', 'hold-book', 'callout-results'] as const;
export type PartnerEndpoint = (typeof partnerEndpoints)[number];
export const calloutAttemptsMax = 100;
export const freeSlotsPageRows = 50;

export interface PartnerData {
  readonly clinicIds: readonly string[];
  readonly searchPolicies: readonly string[];
  readonly slotIds: readonly string[];
  readonly appointmentIds: readonly string[];
  /** Distinguishes the patients of different phases and processes (two digits). */
  readonly tag: number;
}

export interface PlainRequest {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly body?: string;
}

/** Request builders with their own counters; one per generator process and phase. */
export class PartnerRequests {
  private counter = 0;
  /** Slots are taken in order, each once, by their own counter (the other builders advance `counter`). */
  private slotCounter = 0;

  constructor(private readonly data: PartnerData) {}

  private pick<T>(items: readonly T[], index: number): T {
    const item = items[index % Math.max(1, items.length)];
    if (item === undefined) throw new Error('partner requests: an empty list for this endpoint');
    return item;
  }

  createCall(): PlainRequest {
    const n = (this.counter += 1);
    const clinicId = this.pick(this.data.clinicIds, n);
    const clinicNumber = Number(clinicId.slice(1)) || 1;
    const policy = `6${String(this.data.tag).padStart(2, '0')}${String(n).padStart(13, '0')}`;
    const body = {
      source: 'portal', kind: 'primary', clinicId,
      patient: { policy, surname: `Партнёров-${this.data.tag}`, name: `Пациент-${n}`, birthDate: '1975-04-05', sex: n % 2 === 0 ? 'F' : 'M' },
      address: { text: `г. Ярославль, ${benchStreet(clinicNumber, 1 + (n % 3))}`, house: String(1 + (n % 200)) },
      complaints: { text: 'температура 38', tags: ['temperature'] },
    };
    return { method: 'POST', path: '/api/v1/calls', body: JSON.stringify(body) };
  }

  searchCalls(): PlainRequest {
    const policy = this.pick(this.data.searchPolicies, (this.counter += 1));
    return { method: 'GET', path: `/api/v1/calls?policy=${policy}` };
  }

  freeSlots(): PlainRequest {
    const clinicId = this.pick(this.data.clinicIds, (this.counter += 1));
    return { method: 'GET', path: `/api/v1/slots?clinicId=${clinicId}&status=free&limit=${freeSlotsPageRows}` };
  }

  nextSlot(): string {
    const slotId = this.pick(this.data.slotIds, this.slotCounter);
    this.slotCounter += 1;
    return slotId;
  }

  hold(slotId: string): PlainRequest {
    return { method: 'POST', path: `/api/v1/slots/${encodeURIComponent(slotId)}/hold`, body: '{}' };
  }

  book(slotId: string, holdId: string | undefined): PlainRequest {
    const n = (this.counter += 1);
    const body = {
      slotId, ...(holdId === undefined ? {} : { holdId }), source: 'portal',
      patient: { policy: `5${String(this.data.tag).padStart(2, '0')}${String(n).padStart(13, '0')}`, surname: `Записев-${this.data.tag}`, name: `Пациент-${n}`, birthDate: '1982-07-08', sex: 'F', phone: '+79151234567' },
    };
    return { method: 'POST', path: '/api/v1/appointments', body: JSON.stringify(body) };
  }

  calloutResults(): PlainRequest {
    const n = (this.counter += 1);
    const appointmentId = this.pick(this.data.appointmentIds, n);
    const items = [{ appointmentId, result: 'confirmed', attempt: 1 + (Math.floor(n / Math.max(1, this.data.appointmentIds.length)) % calloutAttemptsMax), talkSeconds: 20, at: new Date().toISOString() }];
    return { method: 'POST', path: '/api/v1/callout/results', body: JSON.stringify(items) };
  }

  /** The single request of an endpoint (hold-book is two requests: see `hold` and `book`). */
  single(endpoint: Exclude<PartnerEndpoint, 'hold-book'>): PlainRequest {
    switch (endpoint) {
      case 'create-call': return this.createCall();
      case 'search-calls': return this.searchCalls();
      case 'free-slots': return this.freeSlots();
      case 'callout-results': return this.calloutResults();
      default: {
        const unhandled: never = endpoint;
        throw new Error(`unknown endpoint ${String(unhandled)}`);
      }
    }
  }
}
