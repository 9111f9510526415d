/**
 * The Postgres projection's tables as kysely sees them: one interface per table, used by the typed query builder.
 * The DDL lives in migrations.ts; this file must follow it (the tests read every table back, so a drift shows).
 *
 * Value conventions (set by the pool's type parsers in postgres-database.ts): `bigint` columns read as JS numbers
 * (log positions and counts are safe integers), `date` columns read as `YYYY-MM-DD` strings (no time-zone shift),
 * `timestamptz` as Date, `bytea` as Buffer. jsonb columns are written as JSON text (pg would turn a JS array into a
 * Postgres array literal otherwise) and read back parsed.
 */
import type { ColumnType } from 'kysely';

/** A jsonb column: written as JSON text, read as parsed JSON. */
export type Json = ColumnType<unknown, string, string>;
/** A timestamptz column. */
export type Timestamp = ColumnType<Date, Date, Date>;
/** A timestamptz column with a database default. */
export type TimestampDefaulted = ColumnType<Date, Date | undefined, Date>;

export interface ProjectorPositionTable {
  name: string;
  position: number;
  updated_at: TimestampDefaulted;
}

export interface EventTable {
  position: number;
  event_index: number;
  address: string;
  type: string;
  payload: Json;
  /** The event's own instant when it carries one (`at`, or a registered call's `createdAt`). */
  at: Timestamp | null;
  projected_at: TimestampDefaulted;
}

export interface EventArchiveTable {
  position: number;
  /** The log entry exactly as the LMDB log stores it (log-record-codec.ts frame). */
  frame: Buffer;
}

export interface SnapshotManifestTable {
  position: number;
  actor_count: number;
  state_bytes: number;
  hash: string;
  archived_at: TimestampDefaulted;
}

export interface SnapshotArchiveTable {
  position: number;
  entry_index: number;
  address: string;
  state: Buffer;
}

export interface ClinicTable {
  id: string;
  name: string;
  address: string;
  phone: string | null;
  time_zone: string;
  assign_sla_minutes: number;
  serve_sla_minutes: number;
  cutoff_hour: number;
  slot_horizon_days: number;
  hold_ttl_minutes: number;
  callout_template: string;
  callout_attempts_max: number;
}

export interface ClinicSubdivisionTable {
  clinic_id: string;
  id: string;
  name: string;
  age_category: string | null;
}

export interface DistrictTable {
  id: string;
  clinic_id: string;
  subdivision_id: string;
  name: string;
  rules: Json;
}

export interface DoctorTable {
  id: string;
  clinic_id: string;
  name: string;
  specialty: string;
  subdivision_id: string;
  district_ids: string[];
  weekly_shifts: Json;
  home_visit_minutes: number;
  phone: string | null;
  /** Known once the doctor's actor opened (DoctorOpened). */
  time_zone: string | null;
}

export interface PatientTable {
  id: string;
  policy: string | null;
  surname: string;
  name: string;
  patronymic: string | null;
  full_name: string;
  birth_date: string;
  sex: string;
  phones: string[];
  card_number: string | null;
}

export interface HomeCallTable {
  id: string;
  number: number;
  clinic_id: string;
  patient_id: string;
  status: string;
  source: string;
  kind: string;
  created_at: Timestamp;
  visit_date: string;
  doctor_id: string | null;
  assigned_at: Timestamp | null;
  completed_at: Timestamp | null;
  closed_at: Timestamp | null;
  due_at: Timestamp | null;
  overdue: boolean;
  diagnosis: string | null;
  note: string | null;
  cancel_reason: string | null;
  transferred_to_clinic_id: string | null;
  transferred_to_call_id: string | null;
  transfer_reason: string | null;
  transferred_from_clinic_id: string | null;
  transferred_from_call_id: string | null;
  external_id: string | null;
  district_id: string | null;
  subdivision_id: string | null;
  patient_name: string;
  patient_phone: string | null;
  patient_policy: string | null;
  patient_birth_date: string;
  patient_age_years: number;
  patient_age_category: string;
  address_text: string;
  address: Json;
  complaints_text: string;
  complaint_tags: string[];
  red_flags: string[];
  caller: Json | null;
  updated_position: number;
}

export interface HomeCallHistoryTable {
  position: number;
  event_index: number;
  /** Position of the entry within the event (a registered call carries its first history entries). */
  entry_index: number;
  call_id: string;
  at: Timestamp;
  status: string;
  by: string;
  doctor_id: string | null;
  note: string | null;
}

export interface DoctorVisitTable {
  doctor_id: string;
  call_id: string;
  visit_date: string;
  clinic_id: string;
  patient_name: string;
  address: string;
  kind: string;
  done_at: Timestamp | null;
}

export interface DoctorCalendarTable {
  doctor_id: string;
  clinic_id: string;
  time_zone: string;
  /** The calendar's local today (its last roll); null before the doctor has a template. */
  today: string | null;
  /** The last open day: open days are today..open_through. */
  open_through: string | null;
  template: Json;
  slot_horizon_days: number;
  hold_ttl_minutes: number;
}

export interface CalendarExceptionTable {
  id: string;
  doctor_id: string;
  kind: string;
  from_date: string;
  to_date: string;
  reason: string | null;
  at: Timestamp;
  by: string;
}

export interface SlotTable {
  id: string;
  doctor_id: string;
  clinic_id: string;
  local_date: string;
  start_minutes: number;
  end_minutes: number;
  /** `HH:MM` at the clinic. */
  local_time: string;
  start_at: Timestamp;
  end_at: Timestamp;
  cabinet: string;
  /** Dropped from the template, kept only for the appointment booked into it. */
  retired: boolean;
  appointment_id: string | null;
  hold_id: string | null;
  holder: string | null;
  held_until: Timestamp | null;
}

export interface AppointmentTable {
  id: string;
  doctor_id: string;
  clinic_id: string;
  slot_id: string;
  local_date: string;
  local_time: string;
  start_at: Timestamp;
  end_at: Timestamp;
  cabinet: string;
  patient_id: string;
  patient_name: string;
  patient_phone: string;
  patient_birth_date: string;
  source: string;
  services: string[];
  created_at: Timestamp;
  status: string;
  queue_number: number | null;
  checked_in_at: Timestamp | null;
  service_started_at: Timestamp | null;
  reschedules: number;
  moved_from: string | null;
  moved_to_appointment_id: string | null;
  moved_to_slot_id: string | null;
  moving_to_slot_id: string | null;
  feedback_rating: number | null;
  feedback_comment: string | null;
  feedback_at: Timestamp | null;
  feedback_by: string | null;
  updated_position: number;
}

export interface AppointmentHistoryTable {
  position: number;
  event_index: number;
  entry_index: number;
  appointment_id: string;
  at: Timestamp;
  status: string;
  by: string;
  note: string | null;
}

export interface CalloutAttemptTable {
  appointment_id: string;
  attempt: number;
  result: string;
  at: Timestamp;
  talk_seconds: number | null;
  position: number;
  event_index: number;
}

export interface NotificationTable {
  clinic_id: string;
  seq: number;
  kind: string;
  appointment_id: string;
  patient_id: string;
  phone: string;
  at: Timestamp;
  not_before: Timestamp | null;
  fields: Json;
  acknowledged: boolean;
}

export interface ClinicAlertTable {
  id: string;
  clinic_id: string;
  appointment_id: string;
  doctor_id: string;
  patient_id: string;
  patient_name: string;
  rating: number;
  comment: string | null;
  at: Timestamp;
  acknowledged_at: Timestamp | null;
  acknowledged_by: string | null;
}

export interface Database {
  projector_position: ProjectorPositionTable;
  event: EventTable;
  event_archive: EventArchiveTable;
  snapshot_manifest: SnapshotManifestTable;
  snapshot_archive: SnapshotArchiveTable;
  clinic: ClinicTable;
  clinic_subdivision: ClinicSubdivisionTable;
  district: DistrictTable;
  doctor: DoctorTable;
  patient: PatientTable;
  home_call: HomeCallTable;
  home_call_history: HomeCallHistoryTable;
  doctor_visit: DoctorVisitTable;
  doctor_calendar: DoctorCalendarTable;
  calendar_exception: CalendarExceptionTable;
  slot: SlotTable;
  appointment: AppointmentTable;
  appointment_history: AppointmentHistoryTable;
  callout_attempt: CalloutAttemptTable;
  notification: NotificationTable;
  clinic_alert: ClinicAlertTable;
}
