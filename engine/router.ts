/**
 * The router: from a command alone, the address of the actor that decides it. Region-wide decisions (intake,
 * directory, transfer between clinics) go to the RegionActor; a call's own changes go to its clinic, found
 * from the owner part of the call id.
 */
import { clinicAddress, ownerOf, regionAddress, type Address } from './address.ts';
import type { Command } from './messages.ts';
import { reject, type Rejection } from './rejection.ts';
import { routeCalendarCommand } from './calendar/calendar-routes.ts';

export function routeCommand(command: Command): Address | Rejection {
  switch (command.type) {
    case 'AddClinic':
    case 'UpdateClinicSettings':
    case 'AddDistrict':
    case 'AddDoctor':
    case 'RegisterCall':
    case 'TransferCall':
      return regionAddress;
    case 'AcceptCall':
    case 'AssignCall':
    case 'CancelCall':
    case 'CompleteCall': {
      const clinicId = ownerOf(command.callId);
      return clinicId === undefined ? reject('not_found', `call ${command.callId} not found`, '/callId') : clinicAddress(clinicId);
    }
    case 'BookAppointment':
    case 'UpdateCalendarSettings':
    case 'AckOutbox':
    case 'AcknowledgeAlert':
    case 'SetSchedule':
    case 'AddCalendarException':
    case 'CallNextPatient':
    case 'LiftCalendarException':
    case 'HoldSlot':
    case 'ReleaseHold':
    case 'RescheduleAppointment':
    case 'ConfirmAppointment':
    case 'CancelAppointment':
    case 'CheckInAppointment':
    case 'CompleteAppointment':
    case 'MarkNoShow':
    case 'RecordCalloutResult':
    case 'GiveFeedback':
      return routeCalendarCommand(command);
    default:
      return assertNever(command);
  }
}

export function assertNever(value: never): never {
  throw new Error(`unhandled message: ${JSON.stringify(value)}`);
}
