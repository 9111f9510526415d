/**
 * Issue 13, defect 11: a refused save showed the server's English `detail` («the patient already has an open
 * call») in the Russian UI. Problems carry stable names (`code`, and an engine rejection's `reason`); the UI's
 * ApiError and CommandError translate by them, the server's text only as a fallback.
 */
import t from 'tap';
import { ApiError } from '../../admin-ui/src/api/http.ts';
import { CommandError } from '../../admin-ui/src/live/live-types.ts';
import { problemText } from '../../admin-ui/src/i18n/problems.ts';
import { call, startTestServer } from '../test-server.ts';

t.test('a second open call for the patient: a stable reason on the wire, Russian in the UI', async (t) => {
  const server = await startTestServer();
  t.teardown(() => server.stop());
  const body = { source: 'call_center', kind: 'primary', patient: { surname: 'Повторов', name: 'Иван', birthDate: '1970-01-01', sex: 'M', policy: '7700000000000001' }, address: { text: 'ул. Свободы', house: '3' }, complaints: { text: 'кашель' } };
  t.equal((await call(server.base, 'POST', '/api/v1/calls', { token: server.tokens.partner, body })).status, 201);
  const second = await call(server.base, 'POST', '/api/v1/calls', { token: server.tokens.partner, body });
  t.equal(second.status, 409);
  const problem = second.body as Record<string, unknown>;
  t.match(problem, { type: '/problems/rule_broken', code: 'rule_broken', reason: 'patient_has_open_call', detail: 'the patient already has an open call' });
  t.ok(problem['openCallId'], 'the ids to act on are still there');

  const apiError = new ApiError(409, problem);
  t.equal(apiError.message, 'У пациента уже есть незакрытый вызов', 'the UI says it in Russian, by reason');
  t.equal(CommandError.fromProblem(problem).message, 'У пациента уже есть незакрытый вызов', 'the live socket path too');
  t.equal(CommandError.fromProblem(problem).code, 'rule_broken');

  const notFound = await call(server.base, 'GET', '/api/v1/calls/gp1.nope', { token: server.tokens.partner });
  t.match(notFound.body, { code: 'not_found' });
  t.equal(new ApiError(404, notFound.body as Record<string, unknown>).message, 'Не найдено', 'by code when there is no reason');
});

t.test('the server text is only the fallback', async (t) => {
  t.equal(problemText({ type: '/problems/something_new', detail: 'a new refusal' }), 'a new refusal', 'an unknown code shows the detail');
  t.equal(problemText({ code: 'rule_broken', reason: 'some_new_reason', detail: 'x' }), 'Действие запрещено правилами', 'an unknown reason falls back to the code');
  t.equal(problemText({ type: '/problems/task_failed', detail: 'the routeSheet task failed on its worker (worker_start)' }), 'Не удалось построить документ: повторите позже', 'an older server without `code`: by the type');
  t.equal(problemText(undefined, 502), 'HTTP 502');
});
