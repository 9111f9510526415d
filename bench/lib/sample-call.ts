/** The RegisterCall the micro and durable benches send: call i of a stream of distinct patients on demo streets. */
import type { Command } from '../../engine/index.ts';

const streets = ['ул. Свободы', 'ул. Кирова', 'пр-т Ленина', 'ул. Чкалова', 'ул. Победы', 'ул. Советская', 'ул. Папанина', 'ул. Орджоникидзе', 'ул. Строителей'];

export function sampleRegisterCommand(i: number): Command {
  return {
    type: 'RegisterCall',
    call: {
      source: i % 5 === 0 ? 'portal' : 'call_center',
      kind: 'primary',
      patient: { policy: String(4000000000000000 + i), surname: `Фамилия${i}`, name: 'Имя', birthDate: i % 4 === 0 ? '2016-01-01' : '1975-01-01', sex: i % 2 === 0 ? 'M' : 'F', phone: `+7912${String(i % 10_000_000).padStart(7, '0')}` },
      address: { text: `г. Ярославль, ${streets[i % streets.length] ?? ''}`, house: String((i % 150) + 1), apartment: '1' },
      complaints: { text: 'температура, кашель', tags: ['temperature', 'cough'] },
    },
  };
}
