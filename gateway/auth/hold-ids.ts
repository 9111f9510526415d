/**
 * Hold ids are made here, outside the engine, from the system's CSPRNG: 16 random bytes (128 bits) as 22
 * base64url characters, passed in with `HoldSlot` so the `SlotHeld` event records the id and replay stays
 * exact (engine/calendar/hold-decide.ts). Before, a hold id was the process prefix and a counter, so the next
 * one was guessable; it now grants nothing to anyone but its holder anyway, and it is unguessable as API.md asks
 * of every id that grants anything.
 */
import { randomBytes } from 'node:crypto';
import type { Command } from '../../engine/index.ts';

export const holdIdRandomBytes = 16;

export function newHoldId(): string {
  return randomBytes(holdIdRandomBytes).toString('base64url');
}

/** The command as submitted: a `HoldSlot` gets a fresh hold id (a renewal keeps the current one in the engine). */
export function withHoldId<C extends Command>(command: C): C {
  return command.type === 'HoldSlot' && command.holdId === undefined ? { ...command, holdId: newHoldId() } : command;
}
