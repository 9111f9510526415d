// The pg peer's request handlers: one Postgres transaction per request, the rule checked under a row lock
// (SELECT … FOR UPDATE), ROLLBACK for every rejection so a refused request changes nothing. Statements are
// named, so pg prepares each once per connection. Search results are capped at `slotsPageRowsMax` rows.

import type { Pool, PoolClient, QueryResultRow } from 'pg';
import { BodyReader } from './body-reader.ts';

export const slotsPageRowsMax = 1_000;

export interface Reply {
  readonly status: number;
  readonly body?: unknown;
  readonly retryAfterSeconds?: number;
}

const datePattern = /^\d{4}-\d{2}-\d{2}$/;
const idPattern = /^[1-9]\d{0,17}$/;
const callSources = ['portal', 'call_center', 'registry', 'doctor', 'smp'] as const;
const callKinds = ['primary', 'repeat', 'active_visit', 'urgent'] as const;
/** Calls from the portal and the ambulance wait for an operator's check; the others are registered at once. */
const sourcesNeedingCheck: readonly string[] = ['portal', 'smp'];
const slotStatuses = ['free', 'held', 'booked', 'blocked'] as const;

function problem(status: number, title: string, extra: { readonly [key: string]: unknown } = {}): Reply {
  return { status, body: { type: 'about:blank', title, status, ...extra } };
}

function invalid(reader: BodyReader): Reply {
  return problem(400, 'invalid request', { errors: reader.errors });
}

/** Runs `work` in a transaction; commits a success reply, rolls back a rejection or an error. */
async function inTransaction(pool: Pool, work: (client: PoolClient) => Promise<Reply>): Promise<Reply> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const reply = await work(client);
    await client.query(reply.status < 400 ? 'COMMIT' : 'ROLLBACK');
    return reply;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

async function one<Row extends QueryResultRow>(client: PoolClient | Pool, name: string, text: string,
  values: readonly unknown[]): Promise<Row | undefined> {
  const result = await client.query<Row>({ name, text, values: [...values] });
  return result.rows[0];
}

interface PatientInput {
  readonly policy: string | undefined;
  readonly surname: string | undefined;
  readonly name: string | undefined;
  readonly patronymic: string | undefined;
  readonly birthDate: string | undefined;
  readonly sex: string | undefined;
  readonly phone: string | undefined;
}

function readPatient(reader: BodyReader): PatientInput {
  reader.object('patient', true);
  return {
    policy: reader.string('patient.policy', { required: false, pattern: /^\d{16}$/ }),
    surname: reader.string('patient.surname', { required: true }),
    name: reader.string('patient.name', { required: true }),
    patronymic: reader.string('patient.patronymic', { required: false }),
    birthDate: reader.string('patient.birthDate', { required: true, pattern: datePattern }),
    sex: reader.string('patient.sex', { required: true, oneOf: ['M', 'F'] }),
    phone: reader.string('patient.phone', { required: false }),
  };
}

interface PatientRow {
  readonly id: string;
  readonly clinic_id: string | null;
}

async function insertPatient(client: PoolClient, patient: PatientInput, clinicId: string | null): Promise<PatientRow | undefined> {
  return one<PatientRow>(client, 'peer-patient-insert',
    `INSERT INTO patients (policy, surname, name, patronymic, birth_date, sex, phone, clinic_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (policy) DO NOTHING RETURNING id, clinic_id`,
    [patient.policy ?? null, patient.surname, patient.name, patient.patronymic ?? null, patient.birthDate,
      patient.sex, patient.phone ?? null, clinicId]);
}

/** The patient's row, locked for this transaction (found by policy, else by full name and birth date, else created). */
async function lockPatient(client: PoolClient, patient: PatientInput, clinicId: string | null): Promise<PatientRow> {
  const find = (): Promise<PatientRow | undefined> => patient.policy !== undefined
    ? one<PatientRow>(client, 'peer-patient-by-policy-lock',
      'SELECT id, clinic_id FROM patients WHERE policy = $1 FOR UPDATE', [patient.policy])
    : one<PatientRow>(client, 'peer-patient-by-name-lock',
      `SELECT id, clinic_id FROM patients WHERE surname = $1 AND name = $2 AND birth_date = $3
         AND coalesce(patronymic, '') = coalesce($4, '') ORDER BY id LIMIT 1 FOR UPDATE`,
      [patient.surname, patient.name, patient.birthDate, patient.patronymic ?? null]);
  const found = (await find()) ?? (await insertPatient(client, patient, clinicId)) ?? (await find());
  // Only reachable if the concurrent inserter of the same policy rolled back after we tried to insert.
  if (found === undefined) throw new Error('patient vanished between insert and lock');
  return found;
}

export async function handleRegisterCall(pool: Pool, body: unknown): Promise<Reply> {
  const reader = new BodyReader(body);
  const source = reader.string('source', { required: true, oneOf: callSources });
  const kind = reader.string('kind', { required: true, oneOf: callKinds });
  const clinicId = reader.string('clinicId', { required: false });
  const patient = readPatient(reader);
  const address = reader.object('address', true);
  reader.string('address.text', { required: true });
  const complaints = reader.object('complaints', true);
  reader.string('complaints.text', { required: true });
  const caller = reader.object('caller', false);
  const externalId = reader.string('externalId', { required: false });
  if (reader.errors.length > 0 || source === undefined || kind === undefined) return invalid(reader);
  return inTransaction(pool, async (client) => {
    const patientRow = await lockPatient(client, patient, clinicId ?? null);
    const open = await one<{ readonly id: string }>(client, 'peer-call-open-of-patient',
      `SELECT id FROM calls WHERE patient_id = $1 AND status IN ('received', 'new', 'assigned') LIMIT 1`,
      [patientRow.id]);
    if (open !== undefined) return problem(409, 'the patient already has an open call', { openCallId: open.id });
    const targetClinic = clinicId ?? patientRow.clinic_id;
    if (targetClinic === null) return problem(409, 'no clinicId and the patient is not attached to a clinic');
    const status = sourcesNeedingCheck.includes(source) ? 'received' : 'new';
    const call = await one<{ id: string; number: number; clinic_id: string; status: string; created_at: Date }>(
      client, 'peer-call-insert',
      `INSERT INTO calls (clinic_id, patient_id, status, source, kind, address, complaints, caller, external_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id, number, clinic_id, status, created_at`,
      [targetClinic, patientRow.id, status, source, kind, JSON.stringify(address), JSON.stringify(complaints),
        caller === undefined ? null : JSON.stringify(caller), externalId ?? null]);
    if (call === undefined) throw new Error('INSERT … RETURNING returned no row');
    await client.query({ name: 'peer-history-insert', text: 'INSERT INTO call_history (call_id, status, by) VALUES ($1, $2, $3)',
      values: [call.id, status, source] });
    return { status: 201, body: { id: call.id, number: call.number, clinicId: call.clinic_id, status: call.status,
      createdAt: call.created_at.toISOString() } };
  });
}

async function lockCall(client: PoolClient, callId: string): Promise<{ status: string; clinic_id: string } | undefined> {
  if (!idPattern.test(callId)) return undefined;
  return one(client, 'peer-call-lock', 'SELECT status, clinic_id FROM calls WHERE id = $1 FOR UPDATE', [callId]);
}

export function handleAccept(pool: Pool, callId: string): Promise<Reply> {
  return inTransaction(pool, async (client) => {
    const call = await lockCall(client, callId);
    if (call === undefined) return problem(404, 'call not found');
    if (call.status !== 'received') return problem(409, `cannot accept a call that is ${call.status}`);
    await client.query({ name: 'peer-call-accept', text: `UPDATE calls SET status = 'new', updated_at = now() WHERE id = $1`,
      values: [callId] });
    await client.query({ name: 'peer-history-insert', text: 'INSERT INTO call_history (call_id, status, by) VALUES ($1, $2, $3)',
      values: [callId, 'new', 'operator'] });
    return { status: 200, body: { id: callId, status: 'new' } };
  });
}

export async function handleAssign(pool: Pool, callId: string, body: unknown): Promise<Reply> {
  const reader = new BodyReader(body);
  const doctorId = reader.string('doctorId', { required: true });
  const visitDate = reader.string('visitDate', { required: true, pattern: datePattern });
  if (reader.errors.length > 0) return invalid(reader);
  return inTransaction(pool, async (client) => {
    const call = await lockCall(client, callId);
    if (call === undefined) return problem(404, 'call not found');
    if (call.status !== 'new' && call.status !== 'assigned') return problem(409, `cannot assign a call that is ${call.status}`);
    const doctor = await one<{ clinic_id: string }>(client, 'peer-doctor-clinic',
      'SELECT clinic_id FROM doctors WHERE id = $1', [doctorId]);
    if (doctor === undefined) return problem(404, 'doctor not found');
    if (doctor.clinic_id !== call.clinic_id) return problem(409, 'the doctor works in another clinic');
    await client.query({ name: 'peer-call-assign',
      text: `UPDATE calls SET status = 'assigned', doctor_id = $2, visit_date = $3, updated_at = now() WHERE id = $1`,
      values: [callId, doctorId, visitDate] });
    await client.query({ name: 'peer-history-insert', text: 'INSERT INTO call_history (call_id, status, by) VALUES ($1, $2, $3)',
      values: [callId, 'assigned', 'operator'] });
    return { status: 200, body: { id: callId, status: 'assigned', doctorId, visitDate } };
  });
}

interface SlotLockRow {
  readonly status: string;
  readonly hold_id: string | null;
  readonly hold_expired: boolean | null;
}

/** The slot's status as clients see it: a hold past its deadline is free again. */
async function lockSlot(client: PoolClient, slotId: string): Promise<{ readonly status: string; readonly holdId: string | null } | undefined> {
  const row = await one<SlotLockRow>(client, 'peer-slot-lock',
    'SELECT status, hold_id, hold_expires_at <= now() AS hold_expired FROM slots WHERE id = $1 FOR UPDATE', [slotId]);
  if (row === undefined) return undefined;
  const expired = row.status === 'held' && row.hold_expired === true;
  return { status: expired ? 'free' : row.status, holdId: expired ? null : row.hold_id };
}

export function handleHold(pool: Pool, slotId: string, holdTtlMs: number): Promise<Reply> {
  return inTransaction(pool, async (client) => {
    const slot = await lockSlot(client, slotId);
    if (slot === undefined) return problem(404, 'slot not found');
    if (slot.status !== 'free') return problem(409, `slot is ${slot.status}`);
    const hold = await one<{ hold_id: string; hold_expires_at: Date }>(client, 'peer-slot-hold',
      `UPDATE slots SET status = 'held', hold_id = gen_random_uuid(),
         hold_expires_at = now() + make_interval(secs => $2::float8 / 1000)
       WHERE id = $1 RETURNING hold_id, hold_expires_at`, [slotId, holdTtlMs]);
    if (hold === undefined) throw new Error('UPDATE … RETURNING returned no row');
    return { status: 201, body: { holdId: hold.hold_id, expiresAt: hold.hold_expires_at.toISOString() } };
  });
}

/** The patient for a booking: by policy, else by full name and phone, else created (no lock: nothing is checked on it). */
async function findOrCreatePatient(client: PoolClient, patient: PatientInput): Promise<string> {
  const find = (): Promise<{ id: string } | undefined> => patient.policy !== undefined
    ? one(client, 'peer-patient-by-policy', 'SELECT id FROM patients WHERE policy = $1', [patient.policy])
    : one(client, 'peer-patient-by-name-phone',
      'SELECT id FROM patients WHERE surname = $1 AND name = $2 AND phone IS NOT DISTINCT FROM $3 ORDER BY id LIMIT 1',
      [patient.surname, patient.name, patient.phone ?? null]);
  const found = (await find()) ?? (await insertPatient(client, patient, null)) ?? (await find());
  if (found === undefined) throw new Error('patient vanished between insert and lookup');
  return found.id;
}

export async function handleBook(pool: Pool, body: unknown): Promise<Reply> {
  const reader = new BodyReader(body);
  const slotId = reader.string('slotId', { required: true });
  const holdId = reader.string('holdId', { required: false });
  const source = reader.string('source', { required: true });
  const services = reader.stringArray('services');
  const patient = readPatient(reader);
  if (reader.errors.length > 0 || slotId === undefined || source === undefined) return invalid(reader);
  return inTransaction(pool, async (client) => {
    const slot = await lockSlot(client, slotId);
    if (slot === undefined) return problem(404, 'slot not found');
    if (slot.status === 'booked' || slot.status === 'blocked') return problem(409, `slot is ${slot.status}`);
    if (slot.status === 'held' && slot.holdId !== holdId) return problem(409, 'slot is held by another hold');
    const patientId = await findOrCreatePatient(client, patient);
    await client.query({ name: 'peer-slot-book',
      text: `UPDATE slots SET status = 'booked', hold_id = NULL, hold_expires_at = NULL WHERE id = $1`, values: [slotId] });
    const appointment = await one<{ id: string }>(client, 'peer-appointment-insert',
      `INSERT INTO appointments (slot_id, patient_id, status, source, services) VALUES ($1, $2, 'booked', $3, $4) RETURNING id`,
      [slotId, patientId, source, services ?? []]);
    if (appointment === undefined) throw new Error('INSERT … RETURNING returned no row');
    return { status: 201, body: { id: appointment.id, slotId, status: 'booked', patientId } };
  });
}

function slotSearchSql(filters: { clinic: boolean; doctor: boolean; specialty: boolean; status: boolean }): string {
  const conditions = ['s.start_at >= $1', 's.start_at < $2'];
  let next = 3;
  if (filters.clinic) conditions.push(`d.clinic_id = $${next++}`);
  if (filters.doctor) conditions.push(`s.doctor_id = $${next++}`);
  if (filters.specialty) conditions.push(`d.specialty = $${next++}`);
  const effective = `CASE WHEN s.status = 'held' AND s.hold_expires_at <= now() THEN 'free' ELSE s.status END`;
  if (filters.status) conditions.push(`${effective} = $${next++}`);
  return `SELECT s.id, s.doctor_id, s.start_at, s.end_at, ${effective} AS status
    FROM slots s JOIN doctors d ON d.id = s.doctor_id
    WHERE ${conditions.join(' AND ')} ORDER BY s.start_at, s.doctor_id LIMIT ${slotsPageRowsMax}`;
}

export async function handleSlotSearch(pool: Pool, query: URLSearchParams): Promise<Reply> {
  const reader = new BodyReader(Object.fromEntries(query));
  const clinicId = reader.string('clinicId', { required: false });
  const doctorId = reader.string('doctorId', { required: false });
  const specialty = reader.string('specialty', { required: false });
  const status = reader.string('status', { required: false, oneOf: slotStatuses });
  const from = reader.string('from', { required: true });
  const to = reader.string('to', { required: true });
  for (const [path, value] of [['from', from], ['to', to]] as const) {
    if (value !== undefined && Number.isNaN(Date.parse(value))) reader.errors.push({ path, message: 'must be an ISO 8601 time' });
  }
  if (clinicId === undefined && doctorId === undefined) reader.errors.push({ path: 'clinicId', message: 'clinicId or doctorId is required' });
  if (reader.errors.length > 0) return invalid(reader);
  const filters = { clinic: clinicId !== undefined, doctor: doctorId !== undefined, specialty: specialty !== undefined,
    status: status !== undefined };
  const name = `peer-slots-${Object.values(filters).map((on) => (on ? '1' : '0')).join('')}`;
  const values = [from, to, clinicId, doctorId, specialty, status].filter((value) => value !== undefined);
  const result = await pool.query<{ id: string; doctor_id: string; start_at: Date; end_at: Date; status: string }>(
    { name, text: slotSearchSql(filters), values });
  return { status: 200, body: result.rows.map((row) => ({ id: row.id, doctorId: row.doctor_id,
    start: row.start_at.toISOString(), end: row.end_at.toISOString(), status: row.status })) };
}
