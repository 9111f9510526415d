// The conventional baseline's Postgres schema and its deterministic seed (used by pg-peer-server.ts).
//
// Everything lives in one dedicated schema (`peer_bench` by default) that `resetPeerSchema` drops and
// recreates, so the peer never touches the product's projection tables. The tables are what a clinic system
// would have: clinics, doctors, patients (unique policy), calls with a history table, slots carrying their
// hold, appointments. Indexes cover every lookup the peer makes. The seed is a pure function of its counts:
// ids and times are computed, not random, so two runs book the same slots for the same patients.
// Bounds: the seed's counts are capped (`seedClinicsMax` …) so a typo cannot fill the disk.

import type { Pool } from 'pg';

export const defaultPeerSchema = 'peer_bench';
export const seedClinicsMax = 1_000;
export const seedDoctorsPerClinicMax = 1_000;
export const seedSlotsPerDoctorMax = 10_000;
export const seedPatientsMax = 10_000_000;
export const seedRowsMax = 20_000_000;
/** Slots run 08:00–16:00 Moscow time, 20 minutes each, from the first day below. */
export const slotsPerDay = 24;
export const slotMinutes = 20;
export const seedFirstDay = '2026-11-23';
export const seedTimeZoneOffset = '+03:00';

export interface PeerSeed {
  readonly clinics: number;
  readonly doctorsPerClinic: number;
  readonly slotsPerDoctor: number;
  readonly patients: number;
}

export interface PeerSchemaOptions {
  readonly schema?: string;
}

/** Seeded ids (1-based), so load generators can address the seed without querying it. */
export function peerClinicId(clinic: number): string {
  return `c${clinic}`;
}
export function peerDoctorId(clinic: number, doctor: number): string {
  return `c${clinic}-d${doctor}`;
}
export function peerSlotId(clinic: number, doctor: number, slot: number): string {
  return `c${clinic}-d${doctor}-s${slot}`;
}
/** A 16-digit OMS policy number. */
export function peerPatientPolicy(patient: number): string {
  return String(patient).padStart(16, '0');
}
/** Seeded patient n is attached to clinic ((n - 1) mod clinics) + 1. */
export function peerPatientClinic(patient: number, clinics: number): number {
  return ((patient - 1) % clinics) + 1;
}

export function assertSchemaName(schema: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new TypeError(`pg peer: schema name "${schema}" must be a lower-case SQL identifier`);
  }
  return schema;
}

function assertSeed(seed: PeerSeed): void {
  const checks: Array<[keyof PeerSeed, number]> = [
    ['clinics', seedClinicsMax], ['doctorsPerClinic', seedDoctorsPerClinicMax],
    ['slotsPerDoctor', seedSlotsPerDoctorMax], ['patients', seedPatientsMax],
  ];
  for (const [name, max] of checks) {
    const value = seed[name];
    if (!Number.isInteger(value) || value < 1 || value > max) {
      throw new RangeError(`pg peer seed: ${name} must be an integer in [1, ${max}], got ${value}`);
    }
  }
  const slots = seed.clinics * seed.doctorsPerClinic * seed.slotsPerDoctor;
  if (slots + seed.patients > seedRowsMax) {
    throw new RangeError(`pg peer seed: ${slots + seed.patients} rows, at most ${seedRowsMax}`);
  }
}

function schemaDdl(s: string): string {
  return `
CREATE SCHEMA ${s};
CREATE TABLE ${s}.clinics (
  id text PRIMARY KEY,
  name text NOT NULL,
  time_zone text NOT NULL DEFAULT 'Europe/Moscow'
);
CREATE TABLE ${s}.doctors (
  id text PRIMARY KEY,
  clinic_id text NOT NULL REFERENCES ${s}.clinics (id),
  name text NOT NULL,
  specialty text NOT NULL
);
CREATE INDEX doctors_clinic ON ${s}.doctors (clinic_id);
CREATE TABLE ${s}.patients (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  policy text UNIQUE,
  surname text NOT NULL,
  name text NOT NULL,
  patronymic text,
  birth_date date NOT NULL,
  sex char(1) NOT NULL,
  phone text,
  clinic_id text REFERENCES ${s}.clinics (id),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX patients_full_name ON ${s}.patients (surname, name, birth_date);
CREATE TABLE ${s}.calls (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  number integer GENERATED ALWAYS AS IDENTITY,
  clinic_id text NOT NULL REFERENCES ${s}.clinics (id),
  patient_id bigint NOT NULL REFERENCES ${s}.patients (id),
  status text NOT NULL CHECK (status IN ('received', 'new', 'assigned', 'completed', 'cancelled', 'transferred')),
  source text NOT NULL,
  kind text NOT NULL,
  address jsonb NOT NULL,
  complaints jsonb NOT NULL,
  caller jsonb,
  external_id text,
  doctor_id text REFERENCES ${s}.doctors (id),
  visit_date date,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX calls_open_by_patient ON ${s}.calls (patient_id) WHERE status IN ('received', 'new', 'assigned');
CREATE INDEX calls_clinic_status ON ${s}.calls (clinic_id, status);
CREATE TABLE ${s}.call_history (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  call_id bigint NOT NULL REFERENCES ${s}.calls (id),
  status text NOT NULL,
  at timestamptz NOT NULL DEFAULT now(),
  by text NOT NULL
);
CREATE INDEX call_history_call ON ${s}.call_history (call_id);
CREATE TABLE ${s}.slots (
  id text PRIMARY KEY,
  doctor_id text NOT NULL REFERENCES ${s}.doctors (id),
  start_at timestamptz NOT NULL,
  end_at timestamptz NOT NULL,
  status text NOT NULL DEFAULT 'free' CHECK (status IN ('free', 'held', 'booked', 'blocked')),
  hold_id uuid,
  hold_expires_at timestamptz
);
CREATE INDEX slots_doctor_start ON ${s}.slots (doctor_id, start_at);
CREATE TABLE ${s}.appointments (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  slot_id text NOT NULL REFERENCES ${s}.slots (id),
  patient_id bigint NOT NULL REFERENCES ${s}.patients (id),
  status text NOT NULL,
  source text NOT NULL,
  services text[] NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now()
);
-- A safety net under the slot lock: at most one live appointment per slot.
CREATE UNIQUE INDEX appointments_live_slot ON ${s}.appointments (slot_id) WHERE status NOT IN ('cancelled', 'declined');
CREATE INDEX appointments_patient ON ${s}.appointments (patient_id);
`;
}

function seedSql(s: string): string[] {
  const specialties = `ARRAY['therapist', 'pediatrician', 'surgeon', 'neurologist']`;
  return [
    `INSERT INTO ${s}.clinics (id, name) SELECT 'c' || c, 'Clinic ' || c FROM generate_series(1, $1::int) AS c`,
    `INSERT INTO ${s}.doctors (id, clinic_id, name, specialty)
       SELECT 'c' || c || '-d' || d, 'c' || c, 'Doctor ' || c || '-' || d, (${specialties})[1 + (d - 1) % 4]
       FROM generate_series(1, $1::int) AS c, generate_series(1, $2::int) AS d`,
    `INSERT INTO ${s}.slots (id, doctor_id, start_at, end_at)
       SELECT 'c' || c || '-d' || d || '-s' || n, 'c' || c || '-d' || d, t, t + make_interval(mins => ${slotMinutes})
       FROM generate_series(1, $1::int) AS c, generate_series(1, $2::int) AS d, generate_series(1, $3::int) AS n,
         LATERAL (SELECT timestamptz '${seedFirstDay} 08:00:00${seedTimeZoneOffset}'
           + make_interval(days => (n - 1) / ${slotsPerDay}, mins => ((n - 1) % ${slotsPerDay}) * ${slotMinutes})) AS x(t)`,
    `INSERT INTO ${s}.patients (policy, surname, name, birth_date, sex, phone, clinic_id)
       SELECT lpad(p::text, 16, '0'), 'Surname' || p, 'Name' || p, date '1940-01-01' + (p * 37) % 29000,
         CASE WHEN p % 2 = 0 THEN 'F' ELSE 'M' END, '+7900' || lpad(p::text, 7, '0'), 'c' || (1 + (p - 1) % $1::int)
       FROM generate_series(1, $2::int) AS p`,
  ];
}

/**
 * Drops and recreates the peer's schema and seeds it. Runs as one transaction, so a failed seed leaves no
 * half-built schema. Returns the number of slots and patients created.
 */
export async function resetPeerSchema(pool: Pool, seed: PeerSeed,
  options: PeerSchemaOptions = {}): Promise<{ readonly slots: number; readonly patients: number }> {
  assertSeed(seed);
  const s = assertSchemaName(options.schema ?? defaultPeerSchema);
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`);
    await client.query(schemaDdl(s));
    const [clinics, doctors, slots, patients] = seedSql(s);
    await client.query(clinics ?? '', [seed.clinics]);
    await client.query(doctors ?? '', [seed.clinics, seed.doctorsPerClinic]);
    await client.query(slots ?? '', [seed.clinics, seed.doctorsPerClinic, seed.slotsPerDoctor]);
    await client.query(patients ?? '', [seed.clinics, seed.patients]);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
  // Fresh statistics, or the first minutes of a bench would run on plans made for empty tables.
  await pool.query(`ANALYZE ${s}.clinics, ${s}.doctors, ${s}.slots, ${s}.patients`);
  return { slots: seed.clinics * seed.doctorsPerClinic * seed.slotsPerDoctor, patients: seed.patients };
}
