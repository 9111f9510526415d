/**
 * The ClinicActor's calendar part: the clinic's calendar settings (horizon, hold time, call-out template and
 * attempts), the notification outbox and the alert board. The ClinicActor's switch hands these messages and
 * events here; the state is a field of ClinicState and is snapshotted with it.
 */
import { accept, rejected, type DecideContext, type Decision, type Outgoing } from '../actor.ts';
import { doctorAddress } from '../address.ts';
import type { ClinicState } from '../clinic-state.ts';
import type { ClinicEvent } from '../messages.ts';
import { reject } from '../rejection.ts';
import { assertNever } from '../router.ts';
import { AlertBoard, type Alert } from './alert-board.ts';
import type { CalendarClinicCommand, CalendarClinicEvent, CalendarClinicInternal } from './calendar-messages.ts';
import {
  defaultCalendarSettings, defaultDoctorCalendarSettings, doctorPartOf, doctorPartsDiffer, validateCalendarSettings, withCalendarDefaults,
  type CalendarSettings,
} from './calendar-settings.ts';
import { Outbox, type OutboxItem, type OutboxSnapshot } from './outbox.ts';

export interface ClinicCalendarSnapshot {
  readonly settings: CalendarSettings;
  readonly outbox: OutboxSnapshot;
  readonly alerts: Alert[];
}

export class ClinicCalendar {
  settings: CalendarSettings = defaultCalendarSettings;
  outbox = new Outbox();
  alerts = new AlertBoard();

  toSnapshot(): ClinicCalendarSnapshot {
    return { settings: { ...this.settings }, outbox: this.outbox.toSnapshot(), alerts: this.alerts.toSnapshot() };
  }

  static fromSnapshot(snapshot: ClinicCalendarSnapshot | undefined): ClinicCalendar {
    const calendar = new ClinicCalendar();
    if (snapshot === undefined) return calendar;
    calendar.settings = withCalendarDefaults(snapshot.settings);
    calendar.outbox = Outbox.fromSnapshot(snapshot.outbox);
    calendar.alerts = AlertBoard.fromSnapshot(snapshot.alerts);
    return calendar;
  }
}

/** Sent to a doctor joining the roster when the clinic's calendar settings are not the defaults. */
export function settingsForNewDoctor(state: ClinicState, doctorId: string): Outgoing[] {
  const part = doctorPartOf(state.calendar.settings);
  const isDefault = !doctorPartsDiffer(part, defaultDoctorCalendarSettings);
  return isDefault ? [] : [{ to: doctorAddress(doctorId), message: { type: 'ApplyCalendarSettings', settings: part } }];
}

export function decideClinicCalendar(
  state: ClinicState,
  message: CalendarClinicCommand | CalendarClinicInternal,
  context: DecideContext,
): Decision<ClinicEvent> {
  const calendar = state.calendar;
  const info = state.info;
  if (info === undefined) return rejected(reject('not_found', `clinic ${state.id} not found`, '/clinicId'));
  switch (message.type) {
    case 'UpdateCalendarSettings': {
      const settings = validateCalendarSettings(message.settings, calendar.settings);
      if ('code' in settings) return rejected(settings);
      const before = doctorPartOf(calendar.settings);
      const after = doctorPartOf(settings);
      const changed = doctorPartsDiffer(before, after);
      const send: Outgoing[] = changed
        ? [...state.roster.keys()].map((doctorId) => ({ to: doctorAddress(doctorId), message: { type: 'ApplyCalendarSettings', settings: after } }))
        : [];
      return accept([{ type: 'ClinicCalendarSettingsChanged', settings }], { clinicId: state.id, settings }, send);
    }
    case 'AckOutbox': {
      const through = message.throughSeq;
      if (!Number.isInteger(through) || through < 0 || through > calendar.outbox.seq) {
        return rejected(reject('invalid', `throughSeq must be 0..${calendar.outbox.seq}`, '/throughSeq'));
      }
      const removed = calendar.outbox.pendingThrough(through);
      const events: ClinicEvent[] = removed > 0 ? [{ type: 'OutboxAcknowledged', throughSeq: through }] : [];
      return accept(events, { clinicId: state.id, removed, remaining: calendar.outbox.size - removed });
    }
    case 'EnqueueNotifications': {
      const events = message.notifications.map((draft, index): ClinicEvent => {
        const item: OutboxItem = {
          ...draft,
          seq: calendar.outbox.seq + 1 + index,
          fields: { ...draft.fields, clinic: info.name, address: info.address, clinicPhone: info.phone ?? '' },
        };
        return { type: 'NotificationQueued', item };
      });
      return accept(events);
    }
    case 'RaiseAlert': {
      const alert: Alert = { ...message.alert, id: `${state.id}.${context.ids.next()}`, clinicId: state.id };
      return accept([{ type: 'AlertRaised', alert }]);
    }
    case 'AcknowledgeAlert': {
      const alert = calendar.alerts.alerts.get(message.alertId);
      if (alert === undefined) return rejected(reject('not_found', `alert ${message.alertId} not found`, '/alertId'));
      if (alert.acknowledgedAt !== undefined) return accept([], { ...alert });
      return accept([{ type: 'AlertAcknowledged', alertId: alert.id, at: context.at, by: context.by }], {
        ...alert,
        acknowledgedAt: context.at,
        acknowledgedBy: context.by,
      });
    }
    default:
      return assertNever(message);
  }
}

export function evolveClinicCalendar(calendar: ClinicCalendar, event: CalendarClinicEvent): void {
  switch (event.type) {
    case 'ClinicCalendarSettingsChanged':
      calendar.settings = withCalendarDefaults(event.settings);
      return;
    case 'NotificationQueued':
      calendar.outbox.push({ ...event.item, fields: { ...event.item.fields } });
      return;
    case 'OutboxAcknowledged':
      calendar.outbox.acknowledge(event.throughSeq);
      return;
    case 'AlertRaised':
      calendar.alerts.raise(event.alert);
      return;
    case 'AlertAcknowledged':
      calendar.alerts.acknowledge(event.alertId, event.at, event.by);
      return;
    default:
      assertNever(event);
  }
}
