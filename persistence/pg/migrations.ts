/**
 * The projection's schema, as kysely migrations defined in code (no migration folder to ship or to lose). Plain
 * SQL on purpose: the tables and views are a contract with reporting users and partners who integrate by SQL
 * (the call-out robot, DOMAIN.md section 4), so the DDL should read like what they will query. docs/postgres.md
 * describes each table and view; database.ts mirrors the columns for the typed builder.
 *
 * Tables are created unqualified, so they land in the first schema of the connection's search_path (tests use a
 * fresh schema each; production uses `public` or whatever DATABASE_URL's options set). Migrations only ever add:
 * a released migration is never edited, a change is a new migration.
 *
 * No foreign keys between projected tables: the log decides what exists, and a projection that refused a row
 * because of an ordering detail would stop the projector for good. The one FK ties snapshot entries to their
 * manifest, which the archiver writes in the same transaction.
 */
import { sql } from 'kysely';
import { Migrator } from 'kysely/migration';
import type { Kysely } from 'kysely';
import type { Migration, MigrationProvider, MigrationResultSet } from 'kysely/migration';

async function run(db: Kysely<unknown>, statements: readonly string[]): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

const projectionCore: readonly string[] = [
  `create table projector_position (
     name text primary key,
     position bigint not null,
     updated_at timestamptz not null default now()
   )`,
  `create table event (
     position bigint not null,
     event_index integer not null,
     address text not null,
     type text not null,
     payload jsonb not null,
     at timestamptz,
     projected_at timestamptz not null default now(),
     primary key (position, event_index)
   )`,
  `create index event_type_position_idx on event (type, position)`,
  `create index event_address_position_idx on event (address, position)`,
  `create table event_archive (
     position bigint primary key,
     frame bytea not null
   )`,
  `create table snapshot_manifest (
     position bigint primary key,
     actor_count integer not null,
     state_bytes bigint not null,
     hash text not null,
     archived_at timestamptz not null default now()
   )`,
  `create table snapshot_archive (
     position bigint not null references snapshot_manifest (position) on delete cascade,
     entry_index integer not null,
     address text not null,
     state bytea not null,
     primary key (position, entry_index)
   )`,
];

const directory: readonly string[] = [
  `create table clinic (
     id text primary key,
     name text not null,
     address text not null,
     phone text,
     time_zone text not null,
     assign_sla_minutes integer not null,
     serve_sla_minutes integer not null,
     cutoff_hour integer not null,
     slot_horizon_days integer not null,
     hold_ttl_minutes integer not null,
     callout_template text not null,
     callout_attempts_max integer not null
   )`,
  `create table clinic_subdivision (
     clinic_id text not null,
     id text not null,
     name text not null,
     age_category text,
     primary key (clinic_id, id)
   )`,
  `create table district (
     id text primary key,
     clinic_id text not null,
     subdivision_id text not null,
     name text not null,
     rules jsonb not null
   )`,
  `create index district_clinic_idx on district (clinic_id)`,
  `create table doctor (
     id text primary key,
     clinic_id text not null,
     name text not null,
     specialty text not null,
     subdivision_id text not null,
     district_ids text[] not null,
     weekly_shifts jsonb not null,
     home_visit_minutes integer not null,
     phone text,
     time_zone text
   )`,
  `create index doctor_clinic_idx on doctor (clinic_id)`,
  `create table patient (
     id text primary key,
     policy text,
     surname text not null,
     name text not null,
     patronymic text,
     full_name text not null,
     birth_date date not null,
     sex text not null,
     phones text[] not null,
     card_number text
   )`,
  `create index patient_policy_idx on patient (policy)`,
  `create index patient_phones_idx on patient using gin (phones)`,
];

const homeCalls: readonly string[] = [
  `create table home_call (
     id text primary key,
     number integer not null,
     clinic_id text not null,
     patient_id text not null,
     status text not null,
     source text not null,
     kind text not null,
     created_at timestamptz not null,
     visit_date date not null,
     doctor_id text,
     assigned_at timestamptz,
     completed_at timestamptz,
     closed_at timestamptz,
     due_at timestamptz,
     overdue boolean not null,
     diagnosis text,
     note text,
     cancel_reason text,
     transferred_to_clinic_id text,
     transferred_to_call_id text,
     transfer_reason text,
     transferred_from_clinic_id text,
     transferred_from_call_id text,
     external_id text,
     district_id text,
     subdivision_id text,
     patient_name text not null,
     patient_phone text,
     patient_policy text,
     patient_birth_date date not null,
     patient_age_years integer not null,
     patient_age_category text not null,
     address_text text not null,
     address jsonb not null,
     complaints_text text not null,
     complaint_tags text[] not null,
     red_flags text[] not null,
     caller jsonb,
     updated_position bigint not null
   )`,
  `create index home_call_clinic_status_idx on home_call (clinic_id, status)`,
  `create index home_call_doctor_date_idx on home_call (doctor_id, visit_date)`,
  `create index home_call_patient_idx on home_call (patient_id)`,
  `create table home_call_history (
     position bigint not null,
     event_index integer not null,
     entry_index integer not null,
     call_id text not null,
     at timestamptz not null,
     status text not null,
     by text not null,
     doctor_id text,
     note text,
     primary key (position, event_index, entry_index)
   )`,
  `create index home_call_history_call_idx on home_call_history (call_id, position, event_index, entry_index)`,
  `create table doctor_visit (
     doctor_id text not null,
     call_id text not null,
     visit_date date not null,
     clinic_id text not null,
     patient_name text not null,
     address text not null,
     kind text not null,
     done_at timestamptz,
     primary key (doctor_id, visit_date, call_id)
   )`,
  // What the clinic board and a route sheet show, with names instead of ids.
  `create view home_call_overview as
   select hc.id, hc.number, hc.clinic_id, c.name as clinic, hc.status, hc.overdue, hc.kind, hc.source,
          hc.created_at, hc.visit_date, hc.doctor_id, d.name as doctor, d.specialty,
          hc.patient_id, hc.patient_name, hc.patient_phone, hc.address_text, hc.complaints_text, hc.red_flags
     from home_call hc
     left join clinic c on c.id = hc.clinic_id
     left join doctor d on d.id = hc.doctor_id`,
];

const calendar: readonly string[] = [
  `create table doctor_calendar (
     doctor_id text primary key,
     clinic_id text not null,
     time_zone text not null,
     today date,
     open_through date,
     template jsonb not null,
     slot_horizon_days integer not null,
     hold_ttl_minutes integer not null
   )`,
  `create table calendar_exception (
     id text primary key,
     doctor_id text not null,
     kind text not null,
     from_date date not null,
     to_date date not null,
     reason text,
     at timestamptz not null,
     by text not null
   )`,
  `create index calendar_exception_doctor_idx on calendar_exception (doctor_id, from_date)`,
  // The slots of each doctor's open days, as the DoctorActor materialises them from the weekly template.
  `create table slot (
     id text primary key,
     doctor_id text not null,
     clinic_id text not null,
     local_date date not null,
     start_minutes integer not null,
     end_minutes integer not null,
     local_time text not null,
     start_at timestamptz not null,
     end_at timestamptz not null,
     cabinet text not null,
     retired boolean not null,
     appointment_id text,
     hold_id text,
     holder text,
     held_until timestamptz
   )`,
  `create index slot_doctor_date_idx on slot (doctor_id, local_date, start_minutes)`,
  `create index slot_clinic_date_idx on slot (clinic_id, local_date)`,
  // Status as the API shows it: blocked (retired or a day under an exception), booked, held (an unexpired
  // hold), free.
  `create view slot_status as
   select s.id, s.doctor_id, s.clinic_id, s.local_date, s.local_time, s.start_at, s.end_at, s.cabinet,
          case
            when s.retired or exists (
              select 1 from calendar_exception e
               where e.doctor_id = s.doctor_id and s.local_date between e.from_date and e.to_date
            ) then 'blocked'
            when s.appointment_id is not null then 'booked'
            when s.held_until > now() then 'held'
            else 'free'
          end as status,
          s.appointment_id, s.hold_id, s.holder, s.held_until
     from slot s`,
  `create table appointment (
     id text primary key,
     doctor_id text not null,
     clinic_id text not null,
     slot_id text not null,
     local_date date not null,
     local_time text not null,
     start_at timestamptz not null,
     end_at timestamptz not null,
     cabinet text not null,
     patient_id text not null,
     patient_name text not null,
     patient_phone text not null,
     patient_birth_date date not null,
     source text not null,
     services text[] not null,
     created_at timestamptz not null,
     status text not null,
     queue_number integer,
     checked_in_at timestamptz,
     service_started_at timestamptz,
     reschedules integer not null,
     moved_from text,
     moved_to_appointment_id text,
     moved_to_slot_id text,
     moving_to_slot_id text,
     feedback_rating integer,
     feedback_comment text,
     feedback_at timestamptz,
     feedback_by text,
     updated_position bigint not null
   )`,
  `create index appointment_clinic_date_idx on appointment (clinic_id, local_date, status)`,
  `create index appointment_doctor_date_idx on appointment (doctor_id, local_date)`,
  `create index appointment_patient_idx on appointment (patient_id)`,
  `create table appointment_history (
     position bigint not null,
     event_index integer not null,
     entry_index integer not null,
     appointment_id text not null,
     at timestamptz not null,
     status text not null,
     by text not null,
     note text,
     primary key (position, event_index, entry_index)
   )`,
  `create index appointment_history_appointment_idx on appointment_history (appointment_id, position, event_index, entry_index)`,
  // The engine records one result per (appointment, attempt): a retried upload changes nothing.
  `create table callout_attempt (
     appointment_id text not null,
     attempt integer not null,
     result text not null,
     at timestamptz not null,
     talk_seconds integer,
     position bigint not null,
     event_index integer not null,
     primary key (appointment_id, attempt)
   )`,
  `create table notification (
     clinic_id text not null,
     seq integer not null,
     kind text not null,
     appointment_id text not null,
     patient_id text not null,
     phone text not null,
     at timestamptz not null,
     not_before timestamptz,
     fields jsonb not null,
     acknowledged boolean not null,
     primary key (clinic_id, seq)
   )`,
  `create table clinic_alert (
     id text primary key,
     clinic_id text not null,
     appointment_id text not null,
     doctor_id text not null,
     patient_id text not null,
     patient_name text not null,
     rating integer not null,
     comment text,
     at timestamptz not null,
     acknowledged_at timestamptz,
     acknowledged_by text
   )`,
  `create index clinic_alert_clinic_idx on clinic_alert (clinic_id, at)`,
  // The call-out robot's list (DOMAIN.md section 4), as GET /api/v1/callout/tasks computes it: one row per
  // appointment still 'booked' (not being moved) with attempts left under the clinic's limit, with the previous
  // rounds' outcome and every field of the message template, and the message itself filled in.
  `create view callout_task as
   select a.id as appointment_id,
          a.clinic_id,
          a.patient_phone as phone,
          coalesce(att.attempts, 0) as attempts,
          att.last_result,
          att.last_attempt_at,
          a.patient_name as patient,
          a.local_date as appointment_date,
          a.local_time as appointment_time,
          a.start_at,
          d.name as doctor,
          d.specialty,
          array_to_string(a.services, ', ') as services,
          c.name as clinic,
          c.address,
          coalesce(c.phone, '') as clinic_phone,
          replace(replace(replace(replace(replace(replace(replace(replace(replace(c.callout_template,
            '[patient]', a.patient_name),
            '[date]', to_char(a.local_date, 'YYYY-MM-DD')),
            '[time]', a.local_time),
            '[doctor]', d.name),
            '[specialty]', d.specialty),
            '[services]', array_to_string(a.services, ', ')),
            '[clinic]', c.name),
            '[address]', c.address),
            '[clinicPhone]', coalesce(c.phone, '')) as message,
          a.doctor_id,
          a.patient_id
     from appointment a
     join clinic c on c.id = a.clinic_id
     join doctor d on d.id = a.doctor_id
     left join lateral (
       select count(*)::integer as attempts,
              (array_agg(ca.result order by ca.attempt desc))[1] as last_result,
              max(ca.at) as last_attempt_at
         from callout_attempt ca
        where ca.appointment_id = a.id
     ) att on true
    where a.status = 'booked'
      and a.moving_to_slot_id is null
      and coalesce(att.attempts, 0) < c.callout_attempts_max`,
];

/** Every migration, by name; names sort in the order they apply. */
export const migrations: Readonly<Record<string, Migration>> = {
  '0001_projection_core': { up: (db: Kysely<unknown>) => run(db, projectionCore) },
  '0002_directory': { up: (db: Kysely<unknown>) => run(db, directory) },
  '0003_home_calls': { up: (db: Kysely<unknown>) => run(db, homeCalls) },
  '0004_calendar_and_callout': { up: (db: Kysely<unknown>) => run(db, calendar) },
};

/** The in-code provider kysely's Migrator asks for. */
export class CodeMigrationProvider implements MigrationProvider {
  getMigrations(): Promise<Record<string, Migration>> {
    return Promise.resolve({ ...migrations });
  }
}

/** Attempts more when another schema vanished under kysely's introspection (see migrateToLatest). */
export const migrationRetriesOnForeignSchemaDropMax = 20;

function isForeignSchemaGone(error: unknown, ownSchema: string): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  return code === '3F000' && typeof message === 'string' && !message.includes(`"${ownSchema}"`);
}

/** Thrown when a migration failed; the schema is left at the last migration that succeeded. */
export class MigrationError extends Error {
  override readonly name = 'MigrationError';
}

/**
 * Brings the schema of the connection's search_path to the newest migration. Safe to run on every start and from
 * several processes at once (kysely takes an advisory lock). Returns the names applied now.
 */
export async function migrateToLatest<DB>(db: Kysely<DB>): Promise<string[]> {
  // Kysely looks for its bookkeeping tables in every schema unless told which one; with a schema per tenant or
  // per test it would find another schema's table and skip creating its own. Name the current one.
  const current = await sql<{ schema: string }>`select current_schema() as schema`.execute(db);
  const schema = current.rows[0]?.schema;
  if (schema === undefined) throw new MigrationError('Postgres has no current schema: set search_path to an existing schema');
  const migrator = new Migrator({ db, provider: new CodeMigrationProvider(), migrationTableSchema: schema });
  let result: MigrationResultSet = await migrator.migrateToLatest();
  // Kysely's Migrator introspects the tables of every schema of the database; a schema another process drops
  // meanwhile (another tenant's, a parallel test's) fails that query with invalid_schema_name (3F000) for a
  // schema that is not ours. Nothing was applied then (it fails before the advisory lock): run it again.
  for (let retry = 0; retry < migrationRetriesOnForeignSchemaDropMax && isForeignSchemaGone(result.error, schema); retry += 1) {
    result = await migrator.migrateToLatest();
  }
  if (result.error !== undefined) {
    const failed = result.results?.find((outcome) => outcome.status === 'Error')?.migrationName ?? 'unknown';
    throw new MigrationError(`Postgres migration ${failed} failed: ${String(result.error)}`, { cause: result.error });
  }
  return (result.results ?? []).filter((outcome) => outcome.status === 'Success').map((outcome) => outcome.migrationName);
}
