/**
 * ClinicActor: owns a clinic's home-visit calls, their statuses and SLA timers, and the board. Assignment is a
 * two-step exchange with the DoctorActor (which alone knows whether the doctor works that day): the clinic
 * checks what it owns and asks; the doctor reserves the visit and answers; the clinic then records the
 * assignment, or, if the call changed meanwhile, gives the visit back.
 */
import { accept, acceptThenReply, rejected, type ActorBehavior, type DecideContext, type Decision, type Outgoing, type Reply } from './actor.ts';
import { clinicAddress, doctorAddress, regionAddress } from './address.ts';
import { callView } from './call-view.ts';
import { copyRecord } from './lib/copy-record.ts';
import { ClinicState, closedCallRetentionDays, type ClinicSnapshot } from './clinic-state.ts';
import { addDays, isIsoDate, localParts } from './domain/local-time.ts';
import type { HomeCall } from './home-call.ts';
import { fullName } from './patient.ts';
import { initialStatusFor, isLegalCallTransition, openCallStatuses } from './home-call.ts';
import { reasonCharsMax, validateText, complaintTextCharsMax } from './intake.ts';
import type { ClinicCommand, ClinicEvent, ClinicInput, ClinicInternal } from './messages.ts';
import type { CalendarClinicEvent } from './calendar/calendar-messages.ts';
import { fail, reject } from './rejection.ts';
import { assertNever } from './router.ts';
import { decideClinicCalendar, evolveClinicCalendar, settingsForNewDoctor } from './calendar/clinic-calendar.ts';

/** How far ahead a visit may be planned. */
export const assignHorizonDays = 14;
export const diagnosisCharsMax = 500;

const accepted = new Set<string>([
  'AcceptCall', 'AssignCall', 'CancelCall', 'CompleteCall', 'OpenClinic', 'ApplyClinicSettings', 'JoinRoster',
  'RegisterRoutedCall', 'DescribeCall', 'VisitReserved', 'TransferOut', 'ReceiveTransfer', 'TimersDue',
  'UpdateCalendarSettings', 'AcknowledgeAlert', 'AckOutbox', 'EnqueueNotifications', 'RaiseAlert',
]);

export const clinicBehavior: ActorBehavior<ClinicState, ClinicInput, ClinicEvent, ClinicSnapshot> = {
  kind: 'clinic',
  accepts: accepted,
  creators: new Set(['OpenClinic']),
  create: (id) => new ClinicState(id),
  decide: decideClinic,
  evolve: evolveClinic,
  nextDeadline: (state) => state.nextDeadline(),
  snapshot: (state) => state.toSnapshot(),
  restore: (id, snapshot) => ClinicState.fromSnapshot(id, snapshot),
};

function decideClinic(state: ClinicState, message: ClinicInput, context: DecideContext): Decision<ClinicEvent> {
  switch (message.type) {
    case 'OpenClinic':
      if (state.info !== undefined) fail(`clinic ${state.id} opened twice`);
      return accept([{ type: 'ClinicOpened', clinic: message.clinic }]);
    case 'ApplyClinicSettings':
      return accept([{ type: 'ClinicSettingsChanged', settings: message.settings }]);
    case 'JoinRoster':
      return accept([{ type: 'RosterDoctorJoined', doctor: message.doctor }], undefined, settingsForNewDoctor(state, message.doctor.id));
    case 'RegisterRoutedCall': {
      // The reply is the new call as evolve will store it (the state keeps its own copy of the event's call):
      // answered here rather than by a DescribeCall to itself, one delivery less per registration.
      const call = newCall(state, message, context);
      return accept([{ type: 'CallRegistered', call }], callView(call));
    }
    case 'ReceiveTransfer':
      return decideReceiveTransfer(state, message, context);
    case 'DescribeCall':
      return accept([], describeCall(state, message.callId, message.replayed === true));
    case 'AcceptCall':
      return decideAccept(state, message, context);
    case 'AssignCall':
      return decideAssign(state, message, context);
    case 'VisitReserved':
      return decideVisitReserved(state, message, context);
    case 'CancelCall':
      return decideCancel(state, message, context);
    case 'CompleteCall':
      return decideComplete(state, message, context);
    case 'TransferOut':
      return decideTransferOut(state, message, context);
    case 'TimersDue':
      return decideTimers(state, message.at);
    case 'UpdateCalendarSettings':
    case 'AcknowledgeAlert':
    case 'AckOutbox':
    case 'EnqueueNotifications':
    case 'RaiseAlert':
      return decideClinicCalendar(state, message, context);
    default:
      return assertNever(message);
  }
}

/** A call's reply view; a call no longer in memory (closed long ago, in the archive) as a stub the gateway reads. */
function describeCall(state: ClinicState, callId: string, replayed: boolean): Reply {
  const call = state.calls.get(callId);
  // A retry of a call long closed: it left memory for the archive, where the gateway reads it.
  if (call === undefined) return { id: callId, clinicId: state.id, replayed, archived: true };
  return replayed ? { ...callView(call), replayed: true } : callView(call);
}

/** The reply of a change to a call: its view once the change is applied (Accepted.replyAfter). */
function describeAfter(state: ClinicState, callId: string): () => Reply {
  return () => describeCall(state, callId, false);
}

function clinicOf(state: ClinicState): NonNullable<ClinicState['info']> {
  if (state.info === undefined) fail(`clinic ${state.id} used before it was opened`);
  return state.info;
}

function newCall(state: ClinicState, message: Extract<ClinicInternal, { type: 'RegisterRoutedCall' }>, context: DecideContext): HomeCall {
  const clinic = clinicOf(state);
  const local = localParts(context.at, clinic.timeZone);
  const afterCutoff = local.minutes >= clinic.settings.cutoffHour * 60;
  const intake = message.intake;
  const status = initialStatusFor(intake.source);
  // Field by field, in the order the spread of the intake gave (so logs and snapshots keep their bytes): the
  // spread built the record through a slow dictionary of properties, ~5 KB per call.
  const call: { -readonly [K in keyof HomeCall]: HomeCall[K] } = {
    source: intake.source,
    kind: intake.kind,
    patient: intake.patient,
    address: intake.address,
    complaints: intake.complaints,
    redFlags: intake.redFlags,
  } as HomeCall;
  if (intake.caller !== undefined) call.caller = intake.caller;
  if (intake.externalId !== undefined) call.externalId = intake.externalId;
  if (intake.districtId !== undefined) call.districtId = intake.districtId;
  if (intake.subdivisionId !== undefined) call.subdivisionId = intake.subdivisionId;
  call.id = message.callId;
  call.number = state.callSeq + 1;
  call.clinicId = state.id;
  call.status = status;
  call.createdAt = context.at;
  call.visitDate = afterCutoff ? addDays(local.date, 1) : local.date;
  call.dueAt = context.at + clinic.settings.assignSlaMinutes * 60_000;
  call.overdue = false;
  call.history = [{ at: context.at, status, by: context.by }];
  return call;
}

function decideReceiveTransfer(
  state: ClinicState,
  message: Extract<ClinicInternal, { type: 'ReceiveTransfer' }>,
  context: DecideContext,
): Decision<ClinicEvent> {
  const base = newCall(state, { type: 'RegisterRoutedCall', callId: message.callId, intake: message.intake }, context);
  const call: HomeCall = {
    ...base,
    status: 'new',
    transferredFrom: {
      clinicId: message.fromClinicId,
      callId: message.fromCallId,
      ...(message.fromNumber === undefined ? {} : { number: message.fromNumber }),
      ...(message.fromCreatedAt === undefined ? {} : { createdAt: message.fromCreatedAt }),
    },
    history: [{ at: context.at, status: 'new', by: context.by, note: `transferred from ${message.fromClinicId}` }],
  };
  return accept([{ type: 'CallRegistered', call }]);
}

type Command<T extends ClinicCommand['type']> = Extract<ClinicCommand, { type: T }>;

function findCall(state: ClinicState, callId: string): HomeCall | ReturnType<typeof reject> {
  return state.calls.get(callId) ?? reject('not_found', `call ${callId} not found`, '/callId');
}

function illegal(call: HomeCall, to: string): ReturnType<typeof reject> {
  return reject('illegal_transition', `a ${call.status} call cannot become ${to}`, '/status', { status: call.status });
}

function decideAccept(state: ClinicState, message: Command<'AcceptCall'>, context: DecideContext): Decision<ClinicEvent> {
  const call = findCall(state, message.callId);
  if ('code' in call) return rejected(call);
  if (call.status !== 'received') return rejected(illegal(call, 'new'));
  const event: ClinicEvent = { type: 'CallAccepted', callId: call.id, at: context.at, by: context.by };
  return acceptThenReply([event], describeAfter(state, call.id));
}

function decideAssign(state: ClinicState, message: Command<'AssignCall'>, context: DecideContext): Decision<ClinicEvent> {
  const call = findCall(state, message.callId);
  if ('code' in call) return rejected(call);
  if (!isLegalCallTransition(call.status, 'assigned')) return rejected(illegal(call, 'assigned'));
  const doctor = state.roster.get(message.doctorId);
  if (doctor === undefined) return rejected(reject('rule_broken', 'not a doctor of this clinic', '/doctorId'));
  if (typeof message.visitDate !== 'string' || !isIsoDate(message.visitDate)) {
    return rejected(reject('invalid', 'visitDate must be a date YYYY-MM-DD', '/visitDate'));
  }
  const today = localParts(context.at, clinicOf(state).timeZone).date;
  if (message.visitDate < today) return rejected(reject('rule_broken', 'the visit date is in the past', '/visitDate'));
  if (message.visitDate > addDays(today, assignHorizonDays)) {
    return rejected(reject('rule_broken', `a visit may be planned at most ${assignHorizonDays} days ahead`, '/visitDate'));
  }
  if (call.status === 'assigned' && call.doctorId === doctor.id && call.visitDate === message.visitDate) {
    return accept([], callView(call));
  }
  const visit = {
    callId: call.id,
    clinicId: state.id,
    visitDate: message.visitDate,
    patientName: fullName(call.patient),
    address: call.address.text,
    kind: call.kind,
  };
  return accept([], undefined, [{ to: doctorAddress(doctor.id), message: { type: 'ReserveVisit', visit } }]);
}

function decideVisitReserved(
  state: ClinicState,
  message: Extract<ClinicInternal, { type: 'VisitReserved' }>,
  context: DecideContext,
): Decision<ClinicEvent> {
  const call = state.calls.get(message.callId);
  if (call === undefined || !isLegalCallTransition(call.status, 'assigned')) {
    // The call changed between the ask and the answer: give the visit back so no doctor holds it.
    const giveBack: Outgoing = {
      to: doctorAddress(message.doctorId),
      message: { type: 'ReleaseVisit', callId: message.callId, visitDate: message.visitDate },
    };
    const reason = call === undefined ? reject('not_found', 'call not found', '/callId') : illegal(call, 'assigned');
    return rejected(reason, [giveBack]);
  }
  const send: Outgoing[] = [];
  if (call.status === 'assigned' && call.doctorId !== undefined) {
    send.push({ to: doctorAddress(call.doctorId), message: { type: 'ReleaseVisit', callId: call.id, visitDate: call.visitDate } });
  }
  const firstAssignment = call.status !== 'assigned';
  const dueAt = firstAssignment ? context.at + clinicOf(state).settings.serveSlaMinutes * 60_000 : (call.dueAt ?? context.at);
  const event: ClinicEvent = {
    type: 'CallAssigned',
    callId: call.id,
    doctorId: message.doctorId,
    visitDate: message.visitDate,
    at: context.at,
    by: context.by,
    dueAt,
  };
  return acceptThenReply([event], describeAfter(state, call.id), send);
}

function closingMessages(call: HomeCall, done: boolean, at: number): Outgoing[] {
  const send: Outgoing[] = [];
  if (call.status === 'assigned' && call.doctorId !== undefined) {
    send.push({
      to: doctorAddress(call.doctorId),
      message: done
        ? { type: 'MarkVisitDone', callId: call.id, visitDate: call.visitDate, at }
        : { type: 'ReleaseVisit', callId: call.id, visitDate: call.visitDate },
    });
  }
  return send;
}

function decideCancel(state: ClinicState, message: Command<'CancelCall'>, context: DecideContext): Decision<ClinicEvent> {
  const call = findCall(state, message.callId);
  if ('code' in call) return rejected(call);
  if (!isLegalCallTransition(call.status, 'cancelled')) return rejected(illegal(call, 'cancelled'));
  const reasonError = validateText(message.reason, '/reason', reasonCharsMax, true);
  if (reasonError !== undefined) return rejected(reasonError);
  const event: ClinicEvent = { type: 'CallCancelled', callId: call.id, reason: message.reason.trim(), at: context.at, by: context.by };
  return acceptThenReply([event], describeAfter(state, call.id), [
    ...closingMessages(call, false, context.at),
    { to: regionAddress, message: { type: 'CallClosed', patientId: call.patient.id, callId: call.id } },
  ]);
}

function decideComplete(state: ClinicState, message: Command<'CompleteCall'>, context: DecideContext): Decision<ClinicEvent> {
  const call = findCall(state, message.callId);
  if ('code' in call) return rejected(call);
  if (!isLegalCallTransition(call.status, 'completed')) return rejected(illegal(call, 'completed'));
  const textError =
    validateText(message.diagnosis, '/diagnosis', diagnosisCharsMax, false) ?? validateText(message.note, '/note', complaintTextCharsMax, false);
  if (textError !== undefined) return rejected(textError);
  const event: { -readonly [K in keyof Extract<ClinicEvent, { type: 'CallCompleted' }>]: Extract<ClinicEvent, { type: 'CallCompleted' }>[K] } = {
    type: 'CallCompleted',
    callId: call.id,
    at: context.at,
    by: context.by,
  };
  if (message.diagnosis !== undefined) event.diagnosis = message.diagnosis.trim();
  if (message.note !== undefined) event.note = message.note.trim();
  return acceptThenReply([event], describeAfter(state, call.id), [
    ...closingMessages(call, true, context.at),
    { to: regionAddress, message: { type: 'CallClosed', patientId: call.patient.id, callId: call.id } },
  ]);
}

function decideTransferOut(
  state: ClinicState,
  message: Extract<ClinicInternal, { type: 'TransferOut' }>,
  context: DecideContext,
): Decision<ClinicEvent> {
  const call = findCall(state, message.callId);
  if ('code' in call) return rejected(call);
  if (!isLegalCallTransition(call.status, 'transferred')) return rejected(illegal(call, 'transferred'));
  const event: ClinicEvent = {
    type: 'CallTransferred',
    callId: call.id,
    toClinicId: message.toClinicId,
    toCallId: message.toCallId,
    reason: message.reason,
    at: context.at,
    by: context.by,
  };
  // The district and subdivision belong to this clinic's map; the target places the call itself.
  const { districtId: _district, subdivisionId: _subdivision, ...intake } = call;
  return acceptThenReply([event], describeAfter(state, call.id), [
    ...closingMessages(call, false, context.at),
    {
      to: clinicAddress(message.toClinicId),
      message: {
        type: 'ReceiveTransfer',
        callId: message.toCallId,
        fromClinicId: state.id,
        fromCallId: call.id,
        fromNumber: call.number,
        // A call moved twice keeps its very first registration time: the patient has waited since then.
        fromCreatedAt: call.transferredFrom?.createdAt ?? call.createdAt,
        intake: {
          source: intake.source,
          kind: intake.kind,
          patient: intake.patient,
          address: intake.address,
          complaints: intake.complaints,
          redFlags: intake.redFlags,
          ...(intake.caller === undefined ? {} : { caller: intake.caller }),
          ...(intake.externalId === undefined ? {} : { externalId: intake.externalId }),
        },
      },
    },
    {
      to: regionAddress,
      message: { type: 'OpenCallMoved', patientId: call.patient.id, fromCallId: call.id, toCallId: message.toCallId, toClinicId: message.toClinicId },
    },
  ]);
}

function decideTimers(state: ClinicState, at: number): Decision<ClinicEvent> {
  const events: ClinicEvent[] = [];
  for (const entry of state.deadlines.dueAtMost(at)) {
    const call = state.calls.get(entry.key);
    if (!(call !== undefined && openCallStatuses.has(call.status) && !call.overdue)) fail(`stale deadline for ${entry.key}`);
    events.push({ type: 'CallBecameOverdue', callId: call.id, at });
  }
  const evictAt = state.nextEvictionAt();
  if (evictAt !== undefined && evictAt <= at) {
    const timeZone = clinicOf(state).timeZone;
    events.push({ type: 'ClosedCallsEvicted', callIds: state.dueForEviction(at), keepFromDate: addDays(localParts(at, timeZone).date, -closedCallRetentionDays) });
  }
  return accept(events);
}

function evolveClinic(state: ClinicState, event: ClinicEvent): void {
  switch (event.type) {
    case 'ClinicOpened':
      state.info = event.clinic;
      return;
    case 'ClinicSettingsChanged':
      state.info = { ...clinicOf(state), settings: event.settings };
      return;
    case 'RosterDoctorJoined':
      state.roster.set(event.doctor.id, event.doctor);
      return;
    case 'ClinicCalendarSettingsChanged':
    case 'NotificationQueued':
    case 'OutboxAcknowledged':
    case 'AlertRaised':
    case 'AlertAcknowledged':
      evolveClinicCalendar(state.calendar, event);
      return;
    case 'ClosedCallsEvicted':
      state.evict(event.callIds, event.keepFromDate);
      return;
    case 'CallRegistered': {
      const call: { -readonly [K in keyof HomeCall]: HomeCall[K] } = copyRecord(event.call);
      call.history = [...event.call.history];
      state.calls.set(call.id, call);
      state.callSeq = Math.max(state.callSeq, call.number);
      state.countStatus(call.status, 1);
      state.index.add(call);
      state.refreshDeadline(call);
      return;
    }
    default:
      evolveCallChange(state, event);
  }
}

function evolveCallChange(
  state: ClinicState,
  event: Exclude<ClinicEvent, { type: 'ClinicOpened' | 'ClinicSettingsChanged' | 'RosterDoctorJoined' | 'CallRegistered' | 'ClosedCallsEvicted' } | CalendarClinicEvent>,
): void {
  const call = state.calls.get(event.callId);
  if (call === undefined) fail(`event ${event.type} for unknown call ${event.callId}`);
  const fromStatus = call.status;
  const fromDoctorId = call.doctorId;
  switch (event.type) {
    case 'CallAccepted':
      moveStatus(state, call, 'new', event.at, event.by);
      break;
    case 'CallAssigned': {
      if (call.status === 'assigned' && call.doctorId !== undefined) {
        state.doctorDay(call.doctorId, call.visitDate).assigned -= 1;
        call.history.push({ at: event.at, status: 'assigned', by: event.by, doctorId: event.doctorId });
      } else {
        clearOverdue(state, call);
        moveStatus(state, call, 'assigned', event.at, event.by, event.doctorId);
        call.assignedAt = event.at;
      }
      call.doctorId = event.doctorId;
      call.visitDate = event.visitDate;
      call.dueAt = event.dueAt;
      state.doctorDay(event.doctorId, event.visitDate).assigned += 1;
      break;
    }
    case 'CallCancelled':
      closeCall(state, call, 'cancelled', event.at, event.by);
      call.cancelReason = event.reason;
      break;
    case 'CallCompleted': {
      const date = localParts(event.at, clinicOf(state).timeZone).date;
      closeCall(state, call, 'completed', event.at, event.by);
      call.completedAt = event.at;
      if (event.diagnosis !== undefined) call.diagnosis = event.diagnosis;
      if (event.note !== undefined) call.note = event.note;
      state.completedByDate.set(date, (state.completedByDate.get(date) ?? 0) + 1);
      if (call.doctorId !== undefined) state.doctorDay(call.doctorId, date).completed += 1;
      break;
    }
    case 'CallTransferred':
      closeCall(state, call, 'transferred', event.at, event.by);
      call.transferredTo = { clinicId: event.toClinicId, callId: event.toCallId, reason: event.reason };
      break;
    case 'CallBecameOverdue':
      call.overdue = true;
      state.counters.overdue += 1;
      break;
    default:
      assertNever(event);
  }
  state.index.changed(call, fromStatus, fromDoctorId);
  state.refreshDeadline(call);
}

function moveStatus(state: ClinicState, call: HomeCall, to: HomeCall['status'], at: number, by: string, doctorId?: string): void {
  if (!isLegalCallTransition(call.status, to)) fail(`illegal ${call.status} → ${to} for ${call.id}`);
  state.countStatus(call.status, -1);
  state.countStatus(to, 1);
  call.status = to;
  call.history.push(doctorId === undefined ? { at, status: to, by } : { at, status: to, by, doctorId });
}

function clearOverdue(state: ClinicState, call: HomeCall): void {
  if (!call.overdue) return;
  call.overdue = false;
  state.counters.overdue -= 1;
}

function closeCall(state: ClinicState, call: HomeCall, to: 'completed' | 'cancelled' | 'transferred', at: number, by: string): void {
  if (call.status === 'assigned' && call.doctorId !== undefined) state.doctorDay(call.doctorId, call.visitDate).assigned -= 1;
  clearOverdue(state, call);
  moveStatus(state, call, to, at, by);
  call.closedAt = at;
  delete call.dueAt;
  state.queueClosed(call);
}
