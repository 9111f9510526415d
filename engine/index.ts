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
// Slot calendars, appointments, reception queues, call-out, feedback (engine/calendar/, docs/calendars.md).
export type * from './calendar/calendar-messages.ts';
export * from './calendar/appointment.ts';
export * from './calendar/calendar-settings.ts';
export {
  parseSlotId, slotIdOf, slotMinutesBySpecialty, slotMinutesDefault, slotsPerDayMax, slotsPerDoctorMax, templateRulesMax,
  type ParsedSlotId, type SlotRule, type SlotRuleInput,
} from './calendar/slot-template.ts';
export {
  exceptionKinds, exceptionsPerDoctorMax, type CalendarException, type ExceptionKind, type Hold, type Slot, type SlotStatus,
} from './calendar/slot-calendar.ts';
export { appointmentRetentionDays } from './calendar/appointment-book.ts';
export { holdsPerHolderMax } from './calendar/doctor-decide-support.ts';
export { notificationKinds, outboxItemsMax, type NotificationKind, type OutboxItem } from './calendar/outbox.ts';
export { alertsMax, type Alert } from './calendar/alert-board.ts';
export { calloutTasks, calloutTasksMax, type CalloutQuery, type CalloutTask } from './calendar/callout.ts';
export { queuePosition, queueView, type QueueEntry, type QueueView } from './calendar/reception-queue.ts';
export * from './calendar/calendar-queries.ts';
