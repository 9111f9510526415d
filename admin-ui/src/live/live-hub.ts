/**
 * One live socket per signed-in page, and one cached view per followed topic shared by every screen that
 * shows it (the desk and the alerts page read the same clinic topic; the calendar and the queue the same
 * doctor topic). The hooks subscribe on mount and let go on unmount; the last one out unsubscribes.
 */
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api/http.ts';
import { browserTransport, chosenCodec, socketUrl } from './browser-transport.ts';
import { clinicFromSnapshot, clinicWithDiff, type ClinicView } from './clinic-topic.ts';
import { doctorFromSnapshot, doctorWithDiff, type DoctorView } from './doctor-topic.ts';
import { setServerOffset } from '../format/server-clock.ts';
import { LiveSocket, type ConnectionState } from './live-socket.ts';

export interface TopicState<V> {
  readonly view: V | undefined;
  readonly error: string | undefined;
}

interface Reducer<V> {
  snapshot(data: unknown): V;
  diff(view: V, data: unknown): V;
}

interface CacheEntry {
  state: TopicState<unknown>;
  readonly listeners: Set<(state: TopicState<unknown>) => void>;
  readonly release: () => void;
}

let live: LiveSocket | undefined;
const cache = new Map<string, CacheEntry>();

/** Starts the socket for the current session; called once the user is signed in. */
export function startLive(onUnauthorized: () => void): LiveSocket {
  stopLive();
  // The HttpOnly session cookie authenticates the socket; no token is offered.
  const token = '';
  live = new LiveSocket({
    url: socketUrl(), token, transport: browserTransport, codec: chosenCodec(), onUnauthorized,
    // A refused upgrade looks like any failed connect: ask the API whether the session still stands (a 401 signs out).
    onConnectFailed: () => void api('GET', '/api/v1/auth/me').catch(() => undefined),
  });
  live.onState((state) => {
    if (state.serverOffsetMs !== undefined) setServerOffset(state.serverOffsetMs);
  });
  live.start();
  return live;
}

export function stopLive(): void {
  live?.stop();
  live = undefined;
  for (const entry of cache.values()) entry.release();
  cache.clear();
}

export function liveSocket(): LiveSocket {
  if (live === undefined) throw new Error('the live socket starts at sign-in');
  return live;
}

function follow<V>(topic: string, reducer: Reducer<V>, listener: (state: TopicState<V>) => void): () => void {
  let entry = cache.get(topic);
  if (entry === undefined) {
    const created: CacheEntry = {
      state: { view: undefined, error: undefined },
      listeners: new Set(),
      release: liveSocket().subscribe(topic, (event) => {
        const current = created.state.view as V | undefined;
        if (event.kind === 'snapshot') created.state = { view: reducer.snapshot(event.data), error: undefined };
        else if (event.kind === 'diff' && current !== undefined) created.state = { view: reducer.diff(current, event.data), error: undefined };
        else if (event.kind === 'error') created.state = { view: current, error: event.code };
        for (const each of created.listeners) each(created.state);
      }),
    };
    entry = created;
    cache.set(topic, created);
  }
  const typed = listener as (state: TopicState<unknown>) => void;
  entry.listeners.add(typed);
  listener(entry.state as TopicState<V>);
  const owner = entry;
  return () => {
    owner.listeners.delete(typed);
    if (owner.listeners.size > 0) return;
    owner.release();
    cache.delete(topic);
  };
}

/** Changes a followed topic's cached view outside the socket (calls paged in over HTTP after a truncated snapshot). */
export function patchTopic<V>(topic: string, change: (view: V) => V): void {
  const entry = cache.get(topic);
  if (entry === undefined || entry.state.view === undefined) return;
  entry.state = { view: change(entry.state.view as V), error: entry.state.error };
  for (const listener of entry.listeners) listener(entry.state);
}

function useTopic<V>(topic: string | undefined, reducer: Reducer<V>): TopicState<V> {
  const [state, setState] = useState<TopicState<V>>({ view: undefined, error: undefined });
  useEffect(() => {
    if (topic === undefined) {
      setState({ view: undefined, error: undefined });
      return undefined;
    }
    return follow(topic, reducer, setState);
  }, [topic]);
  return state;
}

const clinicReducer: Reducer<ClinicView> = { snapshot: clinicFromSnapshot, diff: clinicWithDiff };
const doctorReducer: Reducer<DoctorView> = { snapshot: doctorFromSnapshot, diff: doctorWithDiff };

export function useClinicTopic(clinicId: string | undefined): TopicState<ClinicView> {
  return useTopic(clinicId === undefined ? undefined : `clinic/${clinicId}`, clinicReducer);
}

export function useDoctorTopic(doctorId: string | undefined): TopicState<DoctorView> {
  return useTopic(doctorId === undefined || doctorId === '' ? undefined : `doctor/${doctorId}`, doctorReducer);
}

export function useConnection(): ConnectionState {
  const [state, setState] = useState<ConnectionState>(live?.state ?? { status: 'connecting' });
  useEffect(() => (live === undefined ? undefined : live.onState(setState)), [live]);
  return state;
}
