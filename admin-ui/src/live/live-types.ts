/** What the live socket exchanges with its transport and its listeners. */
import { problemText } from '../i18n/problems.ts';

export type Frame = Readonly<Record<string, unknown>>;

export interface Transport {
  send(data: string | Uint8Array<ArrayBuffer>): void;
  close(code: number, reason: string): void;
}

export interface TransportHandlers {
  open(): void;
  message(data: unknown): void;
  close(code: number, reason: string): void;
}

export type TransportFactory = (url: string, protocols: readonly string[], handlers: TransportHandlers) => Transport;

/** A frame codec and the subprotocol that selects it on the server. */
export interface LiveCodec {
  readonly protocol: string;
  encode(frame: Frame): string | Uint8Array<ArrayBuffer>;
  decode(data: unknown): Frame;
}

export type TopicEvent =
  | { readonly kind: 'snapshot'; readonly data: unknown }
  | { readonly kind: 'diff'; readonly data: unknown }
  | { readonly kind: 'error'; readonly code: string; readonly message: string };

/** A command that failed: refused at the gateway (`code`), or decided against by the engine (`problem`). */
export class CommandError extends Error {
  override readonly name = 'CommandError';
  readonly code: string;
  readonly problem: Readonly<Record<string, unknown>> | undefined;

  constructor(code: string, message: string, problem?: Readonly<Record<string, unknown>>) {
    super(message);
    this.code = code;
    this.problem = problem;
  }

  static fromProblem(problem: unknown): CommandError {
    const body = (typeof problem === 'object' && problem !== null ? problem : {}) as Readonly<Record<string, unknown>>;
    const type = String(body['type'] ?? 'problem');
    // In the UI's language by the problem's stable reason or code; the server's English detail only as a fallback.
    return new CommandError(type.replace('/problems/', ''), problemText(body), body);
  }
}
