/**
 * The engine's public surface. Everything outside engine/ imports from here.
 */
import { clinicBehavior } from './clinic-actor.ts';
import { doctorBehavior } from './doctor-actor.ts';
import { Engine, type Behaviors } from './engine.ts';
import type { IdSource } from './ids.ts';
import { regionBehavior } from './region-actor.ts';

export const behaviors: Behaviors = {
  region: regionBehavior as unknown as Behaviors['region'],
  clinic: clinicBehavior as unknown as Behaviors['clinic'],
  doctor: doctorBehavior as unknown as Behaviors['doctor'],
};

export function createEngine(ids: IdSource): Engine {
  return new Engine(behaviors, ids);
}

export { Engine, messagesPerCommandMax } from './engine.ts';
export type { AddressedEvent, CommandMeta, CommandResult } from './engine.ts';
export type { Reply } from './actor.ts';
export * from './address.ts';
export * from './ids.ts';
export * from './clock.ts';
export * from './rejection.ts';
export type * from './messages.ts';
export type * from './directory.ts';
export type * from './patient.ts';
export * from './home-call.ts';
export { ReadModel, loadPercent, type DoctorSuggestion } from './read-model.ts';
export { clinicBoard, listCalls, callListLimitMax, type BoardView, type CallFilter } from './clinic-queries.ts';
export { callView, type CallView } from './call-view.ts';
export { complaintTags, redFlagTags, redFlagPhrases } from './domain/complaints.ts';
export { ClinicState } from './clinic-state.ts';
export { DoctorState } from './doctor-state.ts';
export { RegionState } from './region-state.ts';
