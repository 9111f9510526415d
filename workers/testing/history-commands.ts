/**
 * The history generator's randomness and its home-call intake: a seeded generator (mulberry32, small and fast,
 * good enough to spread a synthetic load) and RegisterCall commands with varied, plausible Russian data.
 */
import type { Command } from '../../engine/index.ts';
import { addDays } from '../../engine/domain/local-time.ts';

export interface RandomSource {
  /** A number in [0, 1). */
  next(): number;
  pick<T>(items: readonly T[]): T;
}

export function randomSource(seed: number): RandomSource {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T };
}

const surnames = ['Иванов', 'Смирнов', 'Кузнецов', 'Попов', 'Васильев', 'Петров', 'Соколов', 'Михайлов', 'Новиков', 'Фёдоров'];
const names = ['Андрей', 'Сергей', 'Дмитрий', 'Алексей', 'Николай', 'Олег', 'Игорь', 'Юрий'];
const patronymics = ['Иванович', 'Петрович', 'Сергеевич', 'Андреевич'];
const complaints = ['температура 38,5, кашель', 'боль в горле, слабость', 'давление 160/100, головная боль', 'насморк, температура', 'головокружение, слабость'];
const sources = ['call_center', 'registry', 'portal', 'smp', 'doctor'] as const;
const kinds = ['primary', 'primary', 'primary', 'repeat', 'active_visit', 'urgent'] as const;

/** A call of patient `patient` (an index into the generator's pool) to `clinicId`, on one of its streets. */
export function callCommand(index: number, patient: number, clinicId: string, streets: readonly string[], random: RandomSource): Command {
  const child = patient % 4 === 0;
  // Name and birth date repeat only every 40,000 (children) or 200,000 (adults) pool indexes, so two pool
  // patients never match by name and birth (the region's fallback when a policy is new).
  const birthDate = child ? addDays('2009-01-01', patient % 5_000) : addDays('1935-01-01', patient % 25_000);
  const phone = `+7916${String(patient).padStart(7, '0')}`;
  return {
    type: 'RegisterCall',
    call: {
      source: random.pick(sources),
      kind: random.pick(kinds),
      clinicId,
      patient: {
        policy: String(7700000000000000 + patient),
        surname: surnames[patient % surnames.length] ?? 'Иванов',
        name: names[Math.floor(patient / surnames.length) % names.length] ?? 'Иван',
        patronymic: patronymics[Math.floor(patient / 80) % patronymics.length] ?? 'Иванович',
        birthDate,
        sex: 'M',
        phone,
        cardNumber: `К-${patient}`,
      },
      address: {
        text: `г. Ярославль, ${random.pick(streets)}`,
        house: String(1 + Math.floor(random.next() * 150)),
        apartment: String(1 + (index % 120)),
        entrance: String(1 + (index % 6)),
        floor: 1 + (index % 9),
        intercom: `${1 + (index % 120)}К`,
      },
      complaints: { text: random.pick(complaints), tags: ['temperature'] },
      caller: { type: 'patient', phone },
    },
  };
}
