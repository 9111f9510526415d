/**
 * The calendar part of the operations report: appointments by status and source, no-shows, call-out outcomes
 * and feedback scores, and their per-day columns, folded one appointment at a time.
 *
 * Coverage: the DoctorActor keeps an appointment `appointmentRetentionDays` after its date and then drops it
 * (the log keeps the history; there is no appointment archive yet, unlike calls). So the replica knows every
 * appointment dated from its calendar's today minus that retention; `coveredFrom` says so, and `complete` is
 * false when the report's range starts earlier.
 */
import { appointmentSources, appointmentStatuses, calloutResults, type Appointment, type AppointmentSource, type AppointmentStatus, type CalloutResult } from '../../engine/index.ts';
import { percentOf } from './call-tally.ts';

export interface DailyAppointments {
  appointments: number;
  noShows: number;
  completed: number;
}

export interface AppointmentSection {
  /** The first date whose appointments the replica holds in full; null when there are no calendars. */
  readonly coveredFrom: string | null;
  readonly complete: boolean;
  readonly total: number;
  readonly byStatus: Readonly<Record<AppointmentStatus, number>>;
  readonly bySource: Readonly<Record<AppointmentSource, number>>;
  readonly noShows: number;
  /** No-shows among the visits that were due (completed + no-show), percent. */
  readonly noShowPercent: number | null;
}

export interface CalloutSection {
  readonly appointmentsCalled: number;
  readonly attempts: number;
  readonly byResult: Readonly<Record<CalloutResult, number>>;
  readonly talkSeconds: number;
  /** Appointments whose last call-out result is `confirmed`, among those called, percent. */
  readonly confirmedPercent: number | null;
}

export interface FeedbackSection {
  readonly count: number;
  readonly mean: number | null;
  readonly byRating: Readonly<Record<'1' | '2' | '3' | '4' | '5', number>>;
  /** Ratings at or below the alert threshold (1–2). */
  readonly low: number;
}

function zeroes<K extends string>(keys: readonly K[]): Record<K, number> {
  return Object.fromEntries(keys.map((key) => [key, 0])) as Record<K, number>;
}

export class AppointmentTally {
  readonly #from: string;
  readonly #to: string;
  #total = 0;
  readonly #byStatus = zeroes(appointmentStatuses);
  readonly #bySource = zeroes(appointmentSources);
  #called = 0;
  #attempts = 0;
  #confirmedLast = 0;
  #talkSeconds = 0;
  readonly #byResult = zeroes(calloutResults);
  #ratings = 0;
  #ratingSum = 0;
  readonly #byRating = zeroes(['1', '2', '3', '4', '5'] as const);
  readonly daily = new Map<string, DailyAppointments>();

  constructor(from: string, to: string) {
    this.#from = from;
    this.#to = to;
  }

  add(appointment: Appointment): void {
    if (appointment.date < this.#from || appointment.date > this.#to) return;
    // An appointment moved to another doctor continues there under a new id; count the journey once.
    if (appointment.movedTo !== undefined) return;
    this.#total += 1;
    this.#byStatus[appointment.status] += 1;
    this.#bySource[appointment.source] += 1;
    const day = this.daily.get(appointment.date) ?? { appointments: 0, noShows: 0, completed: 0 };
    day.appointments += 1;
    if (appointment.status === 'no_show') day.noShows += 1;
    if (appointment.status === 'completed') day.completed += 1;
    this.daily.set(appointment.date, day);
    if (appointment.callout.length > 0) {
      this.#called += 1;
      this.#attempts += appointment.callout.length;
      let last = appointment.callout[0];
      for (const entry of appointment.callout) {
        this.#byResult[entry.result] += 1;
        this.#talkSeconds += entry.talkSeconds ?? 0;
        if (last === undefined || entry.attempt > last.attempt) last = entry;
      }
      if (last?.result === 'confirmed') this.#confirmedLast += 1;
    }
    const feedback = appointment.feedback;
    if (feedback !== undefined) {
      this.#ratings += 1;
      this.#ratingSum += feedback.rating;
      const key = String(feedback.rating) as '1' | '2' | '3' | '4' | '5';
      if (key in this.#byRating) this.#byRating[key] += 1;
    }
  }

  appointments(coveredFrom: string | null): AppointmentSection {
    const due = this.#byStatus.completed + this.#byStatus.no_show;
    return {
      coveredFrom,
      complete: coveredFrom !== null && this.#from >= coveredFrom,
      total: this.#total,
      byStatus: { ...this.#byStatus },
      bySource: { ...this.#bySource },
      noShows: this.#byStatus.no_show,
      noShowPercent: percentOf(this.#byStatus.no_show, due),
    };
  }

  callout(): CalloutSection {
    return {
      appointmentsCalled: this.#called,
      attempts: this.#attempts,
      byResult: { ...this.#byResult },
      talkSeconds: this.#talkSeconds,
      confirmedPercent: percentOf(this.#confirmedLast, this.#called),
    };
  }

  feedback(): FeedbackSection {
    return {
      count: this.#ratings,
      mean: this.#ratings === 0 ? null : Math.round((this.#ratingSum / this.#ratings) * 100) / 100,
      byRating: { ...this.#byRating },
      low: this.#byRating['1'] + this.#byRating['2'],
    };
  }
}
