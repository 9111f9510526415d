/**
 * The Russian text of the documents (route sheets, reports, exports): the product's UI language. Code speaks
 * English; every word a clinic reads lives in this one catalogue (STYLE rule 9), so wording is changed here.
 */
import type { AppointmentStatus, CallKind, CallSource, CallStatus } from '../../engine/index.ts';

export const routeSheetLabels = {
  title: 'Маршрутный лист',
  section: 'Неотложная помощь (вызов на дом)',
  asOf: 'по состоянию на',
  doctor: 'Врач',
  doctorCode: 'код',
  clinic: 'Медицинская организация',
  date: 'Дата',
  empty: 'Вызовов на эту дату нет',
  columns: [
    '№', 'Дата вызова', 'Пациент', 'Дата рождения (возраст, группа)', '№ карты', 'Полис',
    'Адрес (кв., этаж, подъезд, домофон)', 'Код домофона', 'Телефон', 'Повод к вызову', 'Примечание', 'Вид вызова',
    'Статус', 'Время посещения',
  ],
  flat: 'кв.',
  floor: 'эт.',
  entrance: 'под.',
  intercom: 'домофон',
  privateSector: 'частный сектор',
  years: 'лет',
} as const;

export const callStatusRu: Readonly<Record<CallStatus, string>> = {
  received: 'Ожидает обработки',
  new: 'Новый',
  assigned: 'Активный',
  completed: 'Обслужен',
  cancelled: 'Отменён',
  transferred: 'Передан в другую МО',
};

export const callKindRu: Readonly<Record<CallKind, string>> = {
  primary: 'Первичный',
  repeat: 'Повторный',
  active_visit: 'Активное посещение',
  urgent: 'Неотложный',
};

export const callSourceRu: Readonly<Record<CallSource, string>> = {
  portal: 'РПГУ',
  call_center: 'Колл-центр',
  registry: 'Регистратура',
  doctor: 'Врач',
  smp: 'СМП',
};

export const ageCategoryRu: Readonly<Record<'child' | 'adult', string>> = { child: 'дети', adult: 'взрослые' };

export const appointmentStatusRu: Readonly<Record<AppointmentStatus, string>> = {
  booked: 'Записан',
  confirmed: 'Подтверждён',
  declined: 'Отказ',
  checked_in: 'Пришёл',
  in_service: 'На приёме',
  completed: 'Принят',
  no_show: 'Неявка',
  cancelled: 'Отменён',
};

export const calloutResultRu: Readonly<Record<string, string>> = {
  confirmed: 'Подтвердил',
  declined: 'Отказался',
  busy: 'Занято',
  no_answer: 'Нет ответа',
  failed: 'Ошибка связи',
};

export const reportLabels = {
  title: 'Оперативный отчёт',
  region: 'Регион (все медицинские организации)',
  period: 'Период',
  asOf: 'по состоянию на',
  sections: {
    summary: 'Итоги',
    byStatus: 'Вызовы по статусам',
    bySource: 'Вызовы по источникам',
    byKind: 'Вызовы по видам',
    byAge: 'Вызовы по возрастной категории',
    bySubdivision: 'Вызовы по подразделениям',
    byDoctor: 'Вызовы по врачам',
    byClinic: 'Вызовы по медицинским организациям',
    serviceLevels: 'Сроки обслуживания',
    appointments: 'Записи на приём',
    callout: 'Обзвон (подтверждение записи)',
    feedback: 'Оценки пациентов',
    daily: 'По дням',
  },
  columns: { key: 'Показатель', value: 'Значение', count: 'Количество', share: 'Доля, %' },
  summary: {
    calls: 'Вызовов всего',
    assignedWithinSla: 'Назначены в срок (≤ норматива), %',
    servedWithinSla: 'Обслужены в срок (≤ норматива), %',
    assignMinutes: 'Время до назначения, мин (p50 / p90 / p99)',
    serveMinutes: 'Время от назначения до обслуживания, мин (p50 / p90 / p99)',
    appointmentsCoverage: 'Записи учтены с даты',
  },
  daily: ['Дата', 'Создано', 'Назначено', 'Обслужено', 'Отменено', 'Назначено в срок, %', 'Записей', 'Неявок', 'Принято'],
  unknownDoctor: 'без врача',
  unknownSubdivision: 'без подразделения',
  feedback: { count: 'Оценок', mean: 'Средняя оценка', low: 'Низких оценок (1–2)' },
  callout: { attempts: 'Попыток обзвона', talkSeconds: 'Время разговоров, с' },
} as const;

export const calloutExportLabels = {
  sheet: 'Обзвон',
  columns: ['ID записи', 'Телефон', 'Попыток', 'Последний результат', 'Текст сообщения', 'Пациент', 'Дата', 'Время', 'Врач', 'Специальность', 'Услуги', 'МО', 'Адрес МО', 'Телефон МО'],
} as const;
