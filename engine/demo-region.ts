/**
 * The demo region: three clinics with adult and children's subdivisions, districts by street, and doctors
 * with weekly hours and reception slot templates (slots for the next 14 days) — the directory commands that
 * build it, in order. Used by `npm start` on an empty data directory, by the tests and by the bench.
 */
import type { DoctorInfo, WeeklyShift } from './directory.ts';
import type { RegionCommand } from './messages.ts';
import type { SlotRuleInput } from './calendar/slot-template.ts';

export const demoTimeZone = 'Europe/Moscow';

interface DemoClinic {
  readonly id: string;
  readonly name: string;
  readonly address: string;
  readonly phone: string;
  readonly streets: readonly string[];
}

export const demoClinics: readonly DemoClinic[] = [
  { id: 'gp1', name: 'Городская поликлиника № 1', address: 'г. Ярославль, ул. Свободы, 10', phone: '+74852100001', streets: ['ул. Свободы', 'ул. Кирова', 'пр-т Ленина'] },
  { id: 'gp2', name: 'Городская поликлиника № 2', address: 'г. Ярославль, ул. Чкалова, 5', phone: '+74852100002', streets: ['ул. Чкалова', 'ул. Победы', 'ул. Советская'] },
  { id: 'gp3', name: 'Поликлиника Заволжского района', address: 'г. Ярославль, ул. Папанина, 2', phone: '+74852100003', streets: ['ул. Папанина', 'ул. Орджоникидзе', 'ул. Строителей'] },
];

const surnames = ['Иванова', 'Петров', 'Смирнова', 'Кузнецов', 'Соколова', 'Попов', 'Лебедева', 'Козлов', 'Новикова', 'Морозов'];
const initials = ['А. И.', 'Б. П.', 'В. С.', 'Г. К.', 'Д. М.', 'Е. Н.', 'Ж. О.', 'З. Р.', 'И. Т.', 'К. Л.'];

function weekdays(startMinutes: number, endMinutes: number): WeeklyShift[] {
  return [1, 2, 3, 4, 5].map((weekday) => ({ weekday, startMinutes, endMinutes }));
}

/** Reception starts an hour into each shift and lasts up to four hours; the slot length comes from the specialty. */
function receptionTemplate(shifts: readonly WeeklyShift[], cabinet: string): SlotRuleInput[] {
  return shifts.map((shift) => ({
    weekday: shift.weekday,
    startMinutes: shift.startMinutes + 60,
    endMinutes: Math.min(shift.endMinutes, shift.startMinutes + 60 + 4 * 60),
    cabinet,
  }));
}

/** The directory commands of the demo region; `doctorsPerClinic` therapists and pediatricians alternate. */
export function demoRegionCommands(doctorsPerClinic = 4): RegionCommand[] {
  const commands: RegionCommand[] = [];
  for (const clinic of demoClinics) {
    commands.push({
      type: 'AddClinic',
      clinic: {
        id: clinic.id,
        name: clinic.name,
        address: clinic.address,
        phone: clinic.phone,
        timeZone: demoTimeZone,
        subdivisions: [
          { id: 'adult', name: 'Взрослая поликлиника', ageCategory: 'adult' },
          { id: 'child', name: 'Детская поликлиника', ageCategory: 'child' },
        ],
      },
    });
    clinic.streets.forEach((street, index) => {
      commands.push({
        type: 'AddDistrict',
        district: {
          id: `${clinic.id}-a${index + 1}`,
          clinicId: clinic.id,
          subdivisionId: 'adult',
          name: `Терапевтический участок ${index + 1}`,
          rules: [{ street, houses: [{ from: 1, to: 200 }] }],
        },
      });
      commands.push({
        type: 'AddDistrict',
        district: {
          id: `${clinic.id}-c${index + 1}`,
          clinicId: clinic.id,
          subdivisionId: 'child',
          name: `Педиатрический участок ${index + 1}`,
          rules: [{ street, houses: [{ from: 1, to: 200 }] }],
        },
      });
    });
    for (let n = 0; n < doctorsPerClinic; n += 1) {
      const pediatric = n % 2 === 1;
      const districtIndex = (Math.floor(n / 2) % clinic.streets.length) + 1;
      const weeklyShifts = n % 3 === 2 ? [...weekdays(8 * 60, 14 * 60), { weekday: 6, startMinutes: 9 * 60, endMinutes: 13 * 60 }] : weekdays(7 * 60, 20 * 60);
      const doctor: DoctorInfo = {
        id: `${clinic.id}-d${n + 1}`,
        clinicId: clinic.id,
        name: `${surnames[n % surnames.length] ?? 'Врач'} ${initials[n % initials.length] ?? ''}`.trim(),
        specialty: pediatric ? 'pediatrician' : 'therapist',
        subdivisionId: pediatric ? 'child' : 'adult',
        districtIds: [`${clinic.id}-${pediatric ? 'c' : 'a'}${districtIndex}`],
        weeklyShifts,
        homeVisitMinutes: 30,
        phone: `+7910000${clinic.id.slice(-1)}${String(n + 1).padStart(3, '0')}`,
        slotTemplate: receptionTemplate(weeklyShifts, String(101 + n)),
      };
      commands.push({ type: 'AddDoctor', doctor });
    }
  }
  return commands;
}
