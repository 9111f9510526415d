/**
 * What the UI says when the server refuses: translated by the problem's stable names (gateway/http/problem.ts),
 * `reason` first (one particular refusal: `patient_has_open_call`), then `code` (`rule_broken`, `task_failed`);
 * the server's English `detail` only when the catalogue knows neither. Kept apart from ru.ts/en.ts: the same
 * two languages, one table per language, with the same keys (the type makes a missing key a compile error).
 */
import { lang } from './i18n.ts';

const ruProblems = {
  // By reason: engine rejections worth their own words.
  'reason.patient_has_open_call': 'У пациента уже есть незакрытый вызов',
  'reason.slot_held': 'Слот удерживает другой оператор',
  'reason.slot_booked': 'Слот уже занят',
  'reason.slot_blocked': 'Врач в это время не принимает',
  'reason.slot_started': 'Время приёма уже началось',
  // By code.
  'code.not_found': 'Не найдено',
  'code.invalid': 'Неверное значение поля',
  'code.validation_failed': 'Проверьте заполнение полей',
  'code.malformed_body': 'Запрос не разобран сервером',
  'code.illegal_transition': 'В этом статусе так сделать нельзя',
  'code.rule_broken': 'Действие запрещено правилами',
  'code.conflict': 'Занято другим пользователем',
  'code.forbidden': 'Нет доступа',
  'code.unauthorized': 'Требуется вход',
  'code.bad_credentials': 'Неверный логин или пароль',
  'code.too_many_attempts': 'Слишком много попыток входа: подождите',
  'code.rate_limited': 'Слишком много запросов: повторите позже',
  'code.body_too_large': 'Слишком большой запрос',
  'code.unsupported_media_type': 'Неподдерживаемый формат файла',
  'code.idempotency_key_reused': 'Повтор запроса с другими данными',
  'code.workers_busy': 'Сервер занят построением документов: повторите через несколько секунд',
  'code.task_timeout': 'Документ строился слишком долго: повторите позже',
  'code.task_failed': 'Не удалось построить документ: повторите позже',
  'code.shutting_down': 'Сервер перезапускается: повторите через несколько секунд',
  'code.unavailable': 'Сервер временно недоступен',
  'code.internal': 'Внутренняя ошибка сервера',
} as const satisfies Record<string, string>;

type ProblemKey = keyof typeof ruProblems;

const enProblems: Readonly<Record<ProblemKey, string>> = {
  'reason.patient_has_open_call': 'The patient already has an open call',
  'reason.slot_held': 'Another operator is holding this slot',
  'reason.slot_booked': 'The slot is already booked',
  'reason.slot_blocked': 'The doctor does not receive at that time',
  'reason.slot_started': 'The slot has already begun',
  'code.not_found': 'Not found',
  'code.invalid': 'A field has a value that is not accepted',
  'code.validation_failed': 'Check the fields',
  'code.malformed_body': 'The server could not read the request',
  'code.illegal_transition': 'Not possible in this status',
  'code.rule_broken': 'A rule forbids this',
  'code.conflict': 'Taken by someone else',
  'code.forbidden': 'No access',
  'code.unauthorized': 'Sign in first',
  'code.bad_credentials': 'Wrong login or password',
  'code.too_many_attempts': 'Too many sign-in attempts: wait a little',
  'code.rate_limited': 'Too many requests: try again later',
  'code.body_too_large': 'The request is too large',
  'code.unsupported_media_type': 'Unsupported file format',
  'code.idempotency_key_reused': 'A repeated request with different data',
  'code.workers_busy': 'The server is busy building documents: try again in a few seconds',
  'code.task_timeout': 'The document took too long: try again later',
  'code.task_failed': 'The document could not be built: try again later',
  'code.shutting_down': 'The server is restarting: try again in a few seconds',
  'code.unavailable': 'The server is unavailable for now',
  'code.internal': 'Internal server error',
};

const catalogues: Readonly<Record<'ru' | 'en', Readonly<Record<ProblemKey, string>>>> = { ru: ruProblems, en: enProblems };

export interface ProblemLike {
  readonly type?: unknown;
  readonly code?: unknown;
  readonly reason?: unknown;
  readonly detail?: unknown;
  readonly title?: unknown;
}

/** The problem in the UI's language: by reason, else by code (or the type's last part), else the server's text. */
export function problemText(problem: ProblemLike | undefined, status?: number): string {
  const catalogue = catalogues[lang()];
  const known = (key: string): string | undefined => (key in catalogue ? catalogue[key as ProblemKey] : undefined);
  const code = typeof problem?.code === 'string' ? problem.code : typeof problem?.type === 'string' ? problem.type.replace(/^\/problems\//, '') : undefined;
  const byReason = typeof problem?.reason === 'string' ? known(`reason.${problem.reason}`) : undefined;
  const byCode = code === undefined ? undefined : known(`code.${code}`);
  const fallback = typeof problem?.detail === 'string' ? problem.detail : typeof problem?.title === 'string' ? problem.title : `HTTP ${status ?? ''}`.trim();
  return byReason ?? byCode ?? fallback;
}
