/**
 * Feedback after a visit: once an appointment is completed the patient may rate it 1 to 5 with a comment. A
 * rating of `alertRatingMax` or less raises an alert on the clinic's board for the responsible employee.
 * One feedback per appointment; sending the same feedback again changes nothing.
 *
 * Bound: a comment of at most `feedbackCommentCharsMax` characters.
 */
import { accept, rejected, type DecideContext, type Decision, type Outgoing } from '../actor.ts';
import { clinicAddress } from '../address.ts';
import type { DoctorState } from '../doctor-state.ts';
import { validateText } from '../intake.ts';
import type { DoctorEvent, DoctorInput } from '../messages.ts';
import { reject } from '../rejection.ts';
import { alertRatingMax, feedbackCommentCharsMax, type Feedback } from './appointment.ts';
import { describe, findAppointment } from './doctor-decide-support.ts';

export const ratingMin = 1;
export const ratingMax = 5;

type Message<T extends DoctorInput['type']> = Extract<DoctorInput, { type: T }>;

export function decideGiveFeedback(state: DoctorState, message: Message<'GiveFeedback'>, context: DecideContext): Decision<DoctorEvent> {
  const appointment = findAppointment(state, message.appointmentId);
  if ('code' in appointment) return rejected(appointment);
  if (appointment.status !== 'completed') {
    return rejected(reject('illegal_transition', 'feedback is given after a completed visit', '/appointmentId', { status: appointment.status }));
  }
  if (!Number.isInteger(message.rating) || message.rating < ratingMin || message.rating > ratingMax) {
    return rejected(reject('invalid', `rating must be a whole number ${ratingMin}..${ratingMax}`, '/rating'));
  }
  const commentError = validateText(message.comment, '/comment', feedbackCommentCharsMax, false);
  if (commentError !== undefined) return rejected(commentError);
  const comment = message.comment?.trim();
  const given = appointment.feedback;
  if (given !== undefined) {
    if (given.rating === message.rating && given.comment === (comment === '' ? undefined : comment)) {
      return accept([], undefined, [describe(appointment.id, context.self)]);
    }
    return rejected(reject('rule_broken', 'feedback for this visit was already given', '/appointmentId'));
  }
  const feedback: Feedback = {
    rating: message.rating,
    ...(comment === undefined || comment === '' ? {} : { comment }),
    at: context.at,
    by: context.by,
  };
  const send: Outgoing[] = [];
  if (feedback.rating <= alertRatingMax) {
    send.push({
      to: clinicAddress(appointment.clinicId),
      message: {
        type: 'RaiseAlert',
        alert: {
          appointmentId: appointment.id,
          doctorId: appointment.doctorId,
          patientId: appointment.patient.id,
          patientName: appointment.patient.name,
          rating: feedback.rating,
          ...(feedback.comment === undefined ? {} : { comment: feedback.comment }),
          at: context.at,
        },
      },
    });
  }
  send.push(describe(appointment.id, context.self));
  return accept([{ type: 'FeedbackRecorded', appointmentId: appointment.id, feedback }], undefined, send);
}
