/**
 * Where the calendar's commands go, from the command alone. Slot, appointment and exception ids carry their
 * doctor before the first `.`, alert ids their clinic. A move to another doctor's slot goes to the region
 * first, which checks that both doctors exist before the source doctor locks anything.
 */
import { clinicAddress, doctorAddress, isOwnerId, ownerOf, regionAddress, type Address } from '../address.ts';
import { reject, type Rejection } from '../rejection.ts';
import { assertNever } from '../router.ts';
import type { CalendarClinicCommand, CalendarDoctorCommand, CalendarRegionCommand } from './calendar-messages.ts';

export type CalendarCommand = CalendarRegionCommand | CalendarDoctorCommand | CalendarClinicCommand;

function owned(id: unknown, what: string, field: string, address: (owner: string) => Address): Address | Rejection {
  const owner = typeof id === 'string' ? ownerOf(id) : undefined;
  return owner === undefined ? reject('not_found', `${what} ${String(id)} not found`, field) : address(owner);
}

function direct(id: unknown, what: string, field: string, address: (owner: string) => Address): Address | Rejection {
  return typeof id === 'string' && isOwnerId(id) ? address(id) : reject('not_found', `${what} ${String(id)} not found`, field);
}

export function routeCalendarCommand(command: CalendarCommand): Address | Rejection {
  switch (command.type) {
    case 'BookAppointment':
      return regionAddress;
    case 'UpdateCalendarSettings':
    case 'AckOutbox':
      return direct(command.clinicId, 'clinic', '/clinicId', clinicAddress);
    case 'AcknowledgeAlert':
      return owned(command.alertId, 'alert', '/alertId', clinicAddress);
    case 'SetSchedule':
    case 'AddCalendarException':
    case 'CallNextPatient':
      return direct(command.doctorId, 'doctor', '/doctorId', doctorAddress);
    case 'LiftCalendarException':
      return owned(command.exceptionId, 'exception', '/exceptionId', doctorAddress);
    case 'HoldSlot':
    case 'ReleaseHold':
      return owned(command.slotId, 'slot', '/slotId', doctorAddress);
    case 'RescheduleAppointment': {
      const from = typeof command.appointmentId === 'string' ? ownerOf(command.appointmentId) : undefined;
      if (from === undefined) return reject('not_found', `appointment ${String(command.appointmentId)} not found`, '/appointmentId');
      const to = typeof command.slotId === 'string' ? ownerOf(command.slotId) : undefined;
      return to === undefined || to === from ? doctorAddress(from) : regionAddress;
    }
    case 'ConfirmAppointment':
    case 'CancelAppointment':
    case 'CheckInAppointment':
    case 'CompleteAppointment':
    case 'MarkNoShow':
    case 'RecordCalloutResult':
    case 'GiveFeedback':
      return owned(command.appointmentId, 'appointment', '/appointmentId', doctorAddress);
    default:
      return assertNever(command);
  }
}
