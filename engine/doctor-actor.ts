/**
 * DoctorActor: owns a doctor's route list of home visits (and, with the calendars, the slots and the
 * reception queue). It alone decides whether the doctor can take a visit on a date.
 */
import { accept, rejected, type ActorBehavior, type DecideContext, type Decision } from './actor.ts';
import { clinicAddress } from './address.ts';
import { localParts } from './domain/local-time.ts';
import { DoctorState, type DoctorSnapshot } from './doctor-state.ts';
import type { DoctorEvent, DoctorInput, DoctorInternal } from './messages.ts';
import { assert, reject } from './rejection.ts';
import { assertNever } from './router.ts';

const accepted = new Set<string>(['OpenDoctor', 'ReserveVisit', 'ReleaseVisit', 'MarkVisitDone', 'TimersDue']);

export const doctorBehavior: ActorBehavior<DoctorState, DoctorInput, DoctorEvent, DoctorSnapshot> = {
  kind: 'doctor',
  accepts: accepted,
  creators: new Set(['OpenDoctor']),
  create: (id) => new DoctorState(id),
  decide: decideDoctor,
  evolve: evolveDoctor,
  nextDeadline: () => undefined,
  snapshot: (state) => state.toSnapshot(),
  restore: (id, snapshot) => DoctorState.fromSnapshot(id, snapshot),
};

function decideDoctor(state: DoctorState, message: DoctorInput, context: DecideContext): Decision<DoctorEvent> {
  switch (message.type) {
    case 'OpenDoctor':
      assert(state.info === undefined, `doctor ${state.id} opened twice`);
      return accept([{ type: 'DoctorOpened', doctor: message.doctor, timeZone: message.timeZone }]);
    case 'ReserveVisit':
      return decideReserveVisit(state, message, context);
    case 'ReleaseVisit':
      if (!state.visitsOn(message.visitDate).has(message.callId)) return accept([]);
      return accept([{ type: 'VisitRemoved', callId: message.callId, visitDate: message.visitDate }]);
    case 'MarkVisitDone':
      if (!state.visitsOn(message.visitDate).has(message.callId)) return accept([]);
      return accept([{ type: 'VisitCompleted', callId: message.callId, visitDate: message.visitDate, at: message.at }]);
    case 'TimersDue':
      return accept([]);
    default:
      return assertNever(message);
  }
}

function decideReserveVisit(
  state: DoctorState,
  message: Extract<DoctorInternal, { type: 'ReserveVisit' }>,
  context: DecideContext,
): Decision<DoctorEvent> {
  const { visit } = message;
  const shifts = state.shiftsOn(visit.visitDate);
  if (shifts.length === 0) return rejected(reject('rule_broken', `the doctor does not work on ${visit.visitDate}`, '/visitDate'));
  const now = localParts(context.at, state.timeZone);
  const lastShift = shifts[shifts.length - 1];
  if (visit.visitDate === now.date && lastShift !== undefined && now.minutes >= lastShift.endMinutes) {
    return rejected(reject('rule_broken', "the doctor's working time is over today", '/visitDate'));
  }
  const events: DoctorEvent[] = state.visitsOn(visit.visitDate).has(visit.callId) ? [] : [{ type: 'VisitAdded', visit }];
  return accept(events, undefined, [
    { to: clinicAddress(visit.clinicId), message: { type: 'VisitReserved', callId: visit.callId, doctorId: state.id, visitDate: visit.visitDate } },
  ]);
}

function evolveDoctor(state: DoctorState, event: DoctorEvent): void {
  switch (event.type) {
    case 'DoctorOpened':
      state.info = event.doctor;
      state.timeZone = event.timeZone;
      return;
    case 'VisitAdded':
      state.addVisit({ ...event.visit });
      return;
    case 'VisitRemoved':
      state.removeVisit(event.callId, event.visitDate);
      return;
    case 'VisitCompleted': {
      const visit = state.visitsByDate.get(event.visitDate)?.get(event.callId);
      if (visit !== undefined) visit.doneAt = event.at;
      return;
    }
    default:
      assertNever(event);
  }
}
