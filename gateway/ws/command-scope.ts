/**
 * The socket's side of the one scope check (gateway/auth/command-scope.ts): the same rules as the partner API,
 * with the refusal shaped as an error frame whose paths point into the frame (`/command/...`).
 */
import type { Command, ReadModel } from '../../engine/index.ts';
import type { Principal } from '../auth/principal.ts';
import { scopeCommand as scopeAnyCommand } from '../auth/command-scope.ts';
import type { SocketCommandType } from './message-schemas.ts';
import type { ErrorFrame } from './socket-frames.ts';

export type SocketCommand = Extract<Command, { readonly type: SocketCommandType }>;

export type Scoped = { readonly ok: true; readonly command: SocketCommand } | { readonly ok: false; readonly error: Omit<ErrorFrame, 'requestId'> };

export function scopeCommand(principal: Principal, command: SocketCommand, read: ReadModel): Scoped {
  const scoped = scopeAnyCommand(principal, command, read);
  if (scoped.ok) return scoped;
  const { refusal } = scoped;
  // The command's fields sit under /command in the frame; a call's under /command/call.
  const prefix = command.type === 'RegisterCall' ? '/command/call' : '/command';
  const errors = refusal.errors?.map((error) => ({ path: `${prefix}${error.path}`, message: error.message }));
  return { ok: false, error: { code: refusal.code, message: refusal.message, ...(errors === undefined ? {} : { errors }) } };
}
