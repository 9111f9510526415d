// THE FAN-OUT BASELINE (BENCH.md, "Baselines and floors"): the same diffs sent per client as JSON with the `ws`
// library, without coalescing. A client subscribes to topics; every published diff becomes one JSON text
// (stringified once per diff, as a competent developer would) and one `send` per subscriber per diff: no
// merging per tick, no binary frames, no shared pub/sub in native code.
//
// Protocol (client → server text frames): {"type":"subscribe","topic":"clinic/c1"} → {"type":"subscribed",…};
// {"type":"unsubscribe","topic":…}. Server → client: {"type":"diff","topic":…,"seq":n,"diff":…}, seq counting
// per topic from 1 so a client can check it missed nothing.
// Bounds: `clientMessageBytesMax` per client frame; `topicsPerClientMax` subscriptions per client (error reply
// beyond); a subscriber whose unsent bytes exceed `subscriberBufferedBytesMax` is terminated and counted as
// dropped (the usual guard: otherwise a slow client grows server memory without limit).

import { WebSocket, WebSocketServer } from 'ws';
import type { RawData } from 'ws';

export const clientMessageBytesMax = 4_096;
export const topicsPerClientMax = 64;
export const subscriberBufferedBytesMax = 16 * 1024 * 1024;
export const topicNameCharsMax = 200;

export interface WsFanoutPeerStats {
  readonly clients: number;
  readonly topics: number;
  readonly subscriptions: number;
  readonly published: number;
  readonly framesSent: number;
  readonly bytesSent: number;
  readonly droppedSubscribers: number;
}

export interface WsFanoutPeer {
  readonly port: number;
  /** Sends the diff to every current subscriber of the topic; returns how many it was sent to. */
  publish(topic: string, diff: unknown): number;
  stats(): WsFanoutPeerStats;
  /** Terminates every client and closes the server; safe to call more than once. */
  close(): Promise<void>;
}

interface ClientMessage {
  readonly type: 'subscribe' | 'unsubscribe';
  readonly topic: string;
}

function parseClientMessage(data: RawData): ClientMessage | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(data.toString());
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const type: unknown = Reflect.get(parsed, 'type');
  const topic: unknown = Reflect.get(parsed, 'topic');
  if ((type !== 'subscribe' && type !== 'unsubscribe') || typeof topic !== 'string') return undefined;
  if (topic.length === 0 || topic.length > topicNameCharsMax) return undefined;
  return { type, topic };
}

export async function startWsFanoutPeer(options: { readonly port: number }): Promise<WsFanoutPeer> {
  const server = new WebSocketServer({
    host: '127.0.0.1', port: options.port, maxPayload: clientMessageBytesMax, perMessageDeflate: false,
  });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const subscribers = new Map<string, Set<WebSocket>>();
  const topicsOf = new Map<WebSocket, Set<string>>();
  const sequences = new Map<string, number>();
  let published = 0;
  let framesSent = 0;
  let bytesSent = 0;
  let droppedSubscribers = 0;

  const forget = (socket: WebSocket): void => {
    for (const topic of topicsOf.get(socket) ?? []) {
      const set = subscribers.get(topic);
      set?.delete(socket);
      if (set?.size === 0) subscribers.delete(topic);
    }
    topicsOf.delete(socket);
  };

  server.on('connection', (socket) => {
    topicsOf.set(socket, new Set());
    socket.on('close', () => forget(socket));
    socket.on('error', () => forget(socket));
    socket.on('message', (data, isBinary) => {
      const message = isBinary ? undefined : parseClientMessage(data);
      const topics = topicsOf.get(socket);
      if (message === undefined || topics === undefined) {
        socket.send(JSON.stringify({ type: 'error', reason: 'expected {"type":"subscribe"|"unsubscribe","topic":string}' }));
        return;
      }
      if (message.type === 'unsubscribe') {
        topics.delete(message.topic);
        subscribers.get(message.topic)?.delete(socket);
        socket.send(JSON.stringify({ type: 'unsubscribed', topic: message.topic }));
        return;
      }
      if (!topics.has(message.topic) && topics.size >= topicsPerClientMax) {
        socket.send(JSON.stringify({ type: 'error', reason: `at most ${topicsPerClientMax} topics per client` }));
        return;
      }
      topics.add(message.topic);
      let set = subscribers.get(message.topic);
      if (set === undefined) {
        set = new Set();
        subscribers.set(message.topic, set);
      }
      set.add(socket);
      socket.send(JSON.stringify({ type: 'subscribed', topic: message.topic }));
    });
  });

  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  let closing: Promise<void> | undefined;

  return {
    port,
    publish(topic: string, diff: unknown): number {
      published += 1;
      const set = subscribers.get(topic);
      if (set === undefined) return 0;
      const seq = (sequences.get(topic) ?? 0) + 1;
      sequences.set(topic, seq);
      const text = JSON.stringify({ type: 'diff', topic, seq, diff });
      const textBytes = Buffer.byteLength(text);
      let sentTo = 0;
      for (const socket of set) {
        if (socket.readyState !== WebSocket.OPEN) continue;
        if (socket.bufferedAmount > subscriberBufferedBytesMax) {
          droppedSubscribers += 1;
          forget(socket);
          socket.terminate();
          continue;
        }
        socket.send(text);
        framesSent += 1;
        bytesSent += textBytes;
        sentTo += 1;
      }
      return sentTo;
    },
    stats(): WsFanoutPeerStats {
      let subscriptions = 0;
      for (const set of subscribers.values()) subscriptions += set.size;
      return { clients: server.clients.size, topics: subscribers.size, subscriptions, published, framesSent, bytesSent,
        droppedSubscribers };
    },
    close(): Promise<void> {
      closing ??= new Promise<void>((resolve) => {
        for (const socket of server.clients) socket.terminate();
        server.close(() => resolve());
      });
      return closing;
    },
  };
}
