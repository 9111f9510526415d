/**
 * The operator WebSocket, `/ws` (docs/protocol.md): authenticated at the upgrade, msgpack frames (JSON as the
 * `clinic-dispatch.json` subprotocol), subscriptions to clinic, doctor and call topics with a snapshot and
 * then coalesced diffs per durable batch, and the engine's commands with replies after durability.
 *
 * Bounds (socket-settings.ts, each with its outcome): frame size (1009), messages per second (error frames,
 * then 4029), unread output (cut off and resynchronised, or 4008), idle time (uWS pings, then closes),
 * subscriptions and commands in flight per connection (error frames), connections per process (503 at the
 * upgrade), sockets per principal (`socketsPerPrincipalMax`: one more is closed with 4009 at open). On gateway
 * close every socket is closed with 1001.
 *
 * A credential that ends (token disabled, session signed out, user disabled: TokenStore.onChange) closes the
 * sockets opened with it at once with 4001, so they stop receiving diffs and answering resync or subscribe.
 */
import { Problem } from '../http/problem.ts';
import type { GatewayContext } from '../server.ts';
import type { HttpRequest, HttpResponse, us_socket_context_t } from 'uWebSockets.js';
import uWS from 'uWebSockets.js';
import { BackpressureGuard, staleSweepIntervalMs } from './backpressure-guard.ts';
import { closeCodes, closeReasons, type CloseCode } from './close-codes.ts';
import { decodeFrame } from './frame-codec.ts';
import { clientMessageSchemas, fieldErrors, isClientMessageType } from './message-schemas.ts';
import { OperatorSession, TokenBucket, type OperatorSocket, type SocketData } from './operator-session.ts';
import { runCommand, type CommandMessage, type SocketCommandDeps } from './socket-commands.ts';
import { requestIdOf, type ErrorFrame, type RequestId } from './socket-frames.ts';
import { resolveSettings, type OperatorSocketSettings } from './socket-settings.ts';
import { SnapshotSender } from './snapshot-sender.ts';
import { TopicHub } from './topic-hub.ts';
import { parseTopic, topicAccess } from './topics.ts';
import { authenticateUpgrade, readUpgradeHead } from './upgrade-auth.ts';

export const operatorSocketPath = '/ws';
export const protocolVersion = 1;

/** The extension with chosen settings (tests shrink the bounds); `mountOperatorSocket` uses the defaults. */
export function operatorSocket(overrides: Partial<OperatorSocketSettings> = {}): (context: GatewayContext) => void {
  const settings = resolveSettings(overrides);
  return (context) => {
    new OperatorSocketServer(context, settings).mount();
  };
}

/** The gateway extension (gateway/extensions.ts): mounts `/ws` with the default bounds. */
export const mountOperatorSocket: (context: GatewayContext) => void = operatorSocket();

class OperatorSocketServer {
  readonly #context: GatewayContext;
  readonly #settings: OperatorSocketSettings;
  readonly #sessions = new Set<OperatorSession>();
  /** Open sockets per principal id, for `socketsPerPrincipalMax`. */
  readonly #socketsOfPrincipal = new Map<string, number>();
  readonly #hub: TopicHub;
  readonly #guard: BackpressureGuard;
  readonly #snapshots: SnapshotSender;
  readonly #commandDeps: SocketCommandDeps;
  #closed = false;

  constructor(context: GatewayContext, settings: OperatorSocketSettings) {
    this.#context = context;
    this.#settings = settings;
    const { app, host, metrics, logger, tokens } = context;
    const now = () => context.clock.now();
    const close = (session: OperatorSession, code: CloseCode) => this.#close(session, code);
    const sendError = (session: OperatorSession, error: ErrorFrame) => this.#sendError(session, error);
    this.#hub = new TopicHub({ app, metrics, settings, read: host.read, now, checkBuffers: (sessions) => this.#safely('buffer check', () => this.#guard.check(sessions)) });
    this.#snapshots = new SnapshotSender({ host, hub: this.#hub, settings, metrics, logger, now, sendError });
    this.#guard = new BackpressureGuard({ settings, metrics, hub: this.#hub, close, resync: (session) => this.#background(session, this.#snapshots.resync(session)) });
    this.#commandDeps = { host, tokens, metrics, logger, settings, sendError, close };
  }

  mount(): void {
    const { app, host } = this.#context;
    const settings = this.#settings;
    app.ws<SocketData>(operatorSocketPath, {
      maxPayloadLength: settings.framePayloadBytesCeiling,
      maxBackpressure: settings.bufferedBytesHardMax,
      // We close with our own code (4008) instead of uWS's silent shutdown at the limit.
      closeOnBackpressureLimit: 0,
      idleTimeout: settings.idleTimeoutSeconds,
      sendPingsAutomatically: true,
      compression: uWS.DISABLED,
      upgrade: (res, req, context) => this.#upgrade(res, req, context),
      open: (socket) => this.#open(socket),
      message: (socket, message) => this.#guarded(socket.getUserData().session, () => this.#message(socket.getUserData().session, message)),
      drain: (socket) => this.#guard.onDrain(socket.getUserData().session),
      close: (socket, code) => this.#onClosed(socket.getUserData().session, code),
    });
    host.onDurable((events) => {
      // A throw here would stall the host's reply chain: `safely` logs it and serving goes on (clients see the gap).
      if (!this.#closed) this.#safely('fan-out of a durable batch', () => this.#hub.publishBatch(events));
    });
    this.#context.tokens.onChange((change) => {
      if (change.kind === 'principal-enabled') return;
      for (const session of this.#sessions) {
        const ended = change.kind === 'credential-revoked' ? session.credentialId === change.credentialId : session.principal.id === change.principalId;
        if (ended) this.#close(session, closeCodes.unauthorized);
      }
    });
    const sweep = setInterval(() => this.#safely('stale sweep', () => this.#guard.sweep(performance.now())), staleSweepIntervalMs);
    sweep.unref();
    this.#context.onClose(() => {
      this.#closed = true;
      clearInterval(sweep);
      for (const session of this.#sessions) this.#close(session, closeCodes.goingAway);
    });
  }

  #upgrade(res: HttpResponse, req: HttpRequest, context: us_socket_context_t): void {
    const head = readUpgradeHead(req);
    const stopping = this.#closed || this.#context.isDraining();
    if (stopping || this.#sessions.size >= this.#settings.connectionsMax) {
      const detail = stopping ? 'the server is shutting down' : `at most ${this.#settings.connectionsMax} operator sockets per server`;
      refuse(res, 503, 'Service Unavailable', new Problem(503, 'unavailable', detail).body());
      return;
    }
    const verdict = authenticateUpgrade(head, this.#context.tokens, this.#context.security.allowedOrigins);
    if (!verdict.ok) {
      if (verdict.status === 401) refuse(res, 401, 'Unauthorized', new Problem(401, 'unauthorized', verdict.detail).body(), { 'WWW-Authenticate': 'Bearer' });
      else if (verdict.status === 403) refuse(res, 403, 'Forbidden', new Problem(403, 'forbidden_origin', verdict.detail).body());
      else refuse(res, 400, 'Bad Request', new Problem(400, 'bad_upgrade', verdict.detail).body());
      return;
    }
    const bucket = new TokenBucket(this.#settings.messagesPerSecondMax, this.#settings.messagesBurstMax, performance.now());
    const session = new OperatorSession(verdict.principal, verdict.token, verdict.codec, bucket);
    res.upgrade<SocketData>({ session }, head.key, verdict.answer, head.extensions, context);
  }

  #open(socket: OperatorSocket): void {
    const session = socket.getUserData().session;
    const principalId = session.principal.id;
    const held = this.#socketsOfPrincipal.get(principalId) ?? 0;
    if (held >= this.#context.security.socketsPerPrincipalMax) {
      // Counted at open, where it cannot race: the socket is closed before it is served anything.
      session.overLimit = true;
      socket.end(closeCodes.tooManySockets, closeReasons[closeCodes.tooManySockets]);
      return;
    }
    this.#socketsOfPrincipal.set(principalId, held + 1);
    session.socket = socket;
    session.open = true;
    this.#sessions.add(session);
    this.#context.metrics.wsConnections.inc();
    const s = this.#settings;
    session.send({
      type: 'welcome',
      protocolVersion,
      sessionId: session.id,
      principal: { id: session.principal.id, role: session.principal.role, label: session.principal.label },
      actor: session.actor,
      holderTag: session.holderTag,
      // The server's clock (epoch ms): the desk counts waiting times and SLA deadlines down on it, not the browser's.
      serverTime: this.#context.clock.now(),
      codec: session.codec,
      limits: {
        framePayloadBytesMax: s.framePayloadBytesMax, messagesPerSecondMax: s.messagesPerSecondMax, messagesBurstMax: s.messagesBurstMax,
        subscriptionsPerConnectionMax: s.subscriptionsPerConnectionMax, commandsInFlightMax: s.commandsInFlightMax,
        bufferedBytesMax: s.bufferedBytesMax, idleTimeoutSeconds: s.idleTimeoutSeconds,
      },
    });
  }

  #message(session: OperatorSession, message: ArrayBuffer): void {
    if (message.byteLength > this.#settings.framePayloadBytesMax) {
      this.#close(session, closeCodes.frameTooBig);
      return;
    }
    const decoded = decodeFrame(message, session.codec);
    const requestId = decoded.ok ? requestIdOf(decoded.value) : undefined;
    if (!session.bucket.take(performance.now())) {
      session.refusedInRow += 1;
      if (session.refusedInRow >= this.#settings.rateLimitedMessagesMax) this.#close(session, closeCodes.rateLimited);
      else this.#sendError(session, { code: 'rate_limited', message: `over ${this.#settings.messagesPerSecondMax} messages per second: this one was dropped`, retryAfterMs: session.bucket.waitMs(), ...optional(requestId) });
      return;
    }
    session.refusedInRow = 0;
    if (!decoded.ok) {
      this.#sendError(session, { code: 'malformed_frame', message: decoded.message });
      return;
    }
    this.#dispatch(session, decoded.value, requestId);
  }

  #dispatch(session: OperatorSession, value: unknown, requestId: RequestId | undefined): void {
    const type: unknown = value !== null && typeof value === 'object' ? Reflect.get(value, 'type') : undefined;
    if (typeof type !== 'string' || !isClientMessageType(type)) {
      const known = Object.keys(clientMessageSchemas).join(', ');
      this.#sendError(session, { code: 'unknown_message', message: `type must be one of ${known}`, errors: [{ path: '/type', message: 'unknown message type' }], ...optional(requestId) });
      return;
    }
    const errors = fieldErrors(clientMessageSchemas[type], value);
    const first = errors[0];
    if (first !== undefined) {
      this.#sendError(session, { code: 'validation_failed', message: `${first.path} ${first.message}`, errors, ...optional(requestId) });
      return;
    }
    const topic: unknown = Reflect.get(value as object, 'topic');
    switch (type) {
      case 'subscribe':
        return this.#subscribe(session, topic as string, requestId);
      case 'unsubscribe':
        return this.#unsubscribe(session, topic as string, requestId);
      case 'resync':
        if (!session.subscriptions.has(topic as string)) return this.#sendError(session, { code: 'not_subscribed', message: `not subscribed to ${String(topic)}`, topic: topic as string, ...optional(requestId) });
        this.#background(session, this.#snapshots.send(session, [topic as string], 'resync', requestId));
        return;
      case 'ping':
        session.send({ type: 'pong', ...optional(requestId) });
        return;
      case 'command':
        // A stopping server takes no new work; the commands already in flight still get their replies.
        if (this.#context.isDraining()) return this.#sendError(session, { code: 'unavailable', message: 'the server is stopping: the command was not submitted', ...optional(requestId) });
        this.#background(session, runCommand(this.#commandDeps, session, value as CommandMessage));
        return;
    }
  }

  #subscribe(session: OperatorSession, topic: string, requestId: RequestId | undefined): void {
    const parsed = parseTopic(topic);
    if (parsed === undefined) {
      this.#sendError(session, { code: 'validation_failed', message: 'topic must be clinic/<id>, doctor/<id> or call/<id>', topic, errors: [{ path: '/topic', message: 'unknown topic' }], ...optional(requestId) });
      return;
    }
    if (!session.subscriptions.has(topic) && session.subscriptions.size >= this.#settings.subscriptionsPerConnectionMax) {
      this.#sendError(session, { code: 'too_many_subscriptions', message: `at most ${this.#settings.subscriptionsPerConnectionMax} topics per connection`, topic, ...optional(requestId) });
      return;
    }
    const access = topicAccess(session.principal, parsed, this.#context.host.read);
    if (access !== 'ok') {
      const message = access === 'forbidden' ? 'this topic is outside your scope' : `${topic} not found`;
      this.#sendError(session, { code: access, message, topic, ...optional(requestId) });
      return;
    }
    session.subscriptions.add(topic);
    this.#background(session, this.#snapshots.send(session, [topic], 'subscribe', requestId));
  }

  #unsubscribe(session: OperatorSession, topic: string, requestId: RequestId | undefined): void {
    if (!session.subscriptions.delete(topic)) {
      this.#sendError(session, { code: 'not_subscribed', message: `not subscribed to ${topic}`, topic, ...optional(requestId) });
      return;
    }
    this.#hub.detach(session, topic);
    session.send({ type: 'unsubscribed', topic, ...optional(requestId) });
  }

  /** Timers and the durable listener run outside any request: a bug there is logged, never fatal to serving. */
  #safely(what: string, work: () => void): void {
    try {
      work();
    } catch (error) {
      this.#context.logger.error({ err: error }, `operator socket: ${what} failed`);
    }
  }

  /**
   * A throw while handling a client's message is a bug, not the client's fault: log it, close that one socket
   * with 1011, keep serving the others (an exception escaping a uWS callback would end the process).
   */
  #guarded(session: OperatorSession, handle: () => void): void {
    try {
      handle();
    } catch (error) {
      this.#internalError(session, error);
    }
  }

  #background(session: OperatorSession, work: Promise<void>): void {
    work.catch((error: unknown) => this.#internalError(session, error));
  }

  #internalError(session: OperatorSession, error: unknown): void {
    this.#context.logger.error({ err: error, session: session.id, principal: session.principal.id }, 'operator socket failed on a message');
    this.#close(session, closeCodes.internalError);
  }

  #sendError(session: OperatorSession, error: ErrorFrame): void {
    this.#context.metrics.wsErrorFrames.inc({ code: error.code });
    session.send({ type: 'error', ...error });
  }

  #close(session: OperatorSession, code: CloseCode): void {
    // uWS calls the close handler synchronously from end(); after it the socket must not be touched.
    if (session.open && session.socket !== undefined) session.socket.end(code, closeReasons[code]);
  }

  #onClosed(session: OperatorSession, code: number): void {
    if (session.overLimit) {
      this.#context.metrics.wsCloses.inc({ code: String(code) });
      return;
    }
    const principalId = session.principal.id;
    const held = (this.#socketsOfPrincipal.get(principalId) ?? 1) - 1;
    if (held > 0) this.#socketsOfPrincipal.set(principalId, held);
    else this.#socketsOfPrincipal.delete(principalId);
    // The socket is already closed (uWS unsubscribed it): mark the session first so nothing touches it.
    session.open = false;
    session.socket = undefined;
    this.#hub.detachAll(session);
    this.#sessions.delete(session);
    this.#guard.forget(session);
    // A closed tab frees its slots now; while the gateway stops the deadlines do it (the host is closing).
    if (!this.#closed) session.holds.releaseAll(this.#context.host, session.actor, this.#context.logger);
    this.#context.metrics.wsConnections.dec();
    this.#context.metrics.wsCloses.inc({ code: String(code) });
    this.#context.logger.debug({ session: session.id, principal: session.principal.id, code }, 'operator socket closed');
  }
}

function optional(requestId: RequestId | undefined): { requestId?: RequestId } {
  return requestId === undefined ? {} : { requestId };
}

function refuse(res: HttpResponse, status: number, text: string, body: unknown, headers: Readonly<Record<string, string>> = {}): void {
  res.cork(() => {
    res.writeStatus(`${status} ${text}`).writeHeader('Content-Type', 'application/problem+json');
    for (const [name, value] of Object.entries(headers)) res.writeHeader(name, value);
    res.end(JSON.stringify(body), true);
  });
}
