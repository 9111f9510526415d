/**
 * The dashboard and the alert rules against a live /metrics scrape: every `cd_` metric either one references
 * exists in the scrape (a typo or a renamed metric fails here, not on a dark dashboard at night), the alert
 * file has the shape Prometheus loads (groups → rules with alert, expr, for, labels.severity,
 * annotations.summary), and the dashboard covers the series the runbook promises.
 *
 * No metric is exempt: a panel or rule that reads something nothing exports fails here.
 */
import t from 'tap';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startTestServer } from '../gateway/test-server.ts';
import { parseYamlSubset } from './yaml-subset.ts';

const dashboardPath = fileURLToPath(new URL('./grafana/clinic-dispatch.json', import.meta.url));
const alertsPath = fileURLToPath(new URL('./prometheus/alerts.yml', import.meta.url));

/** Every sample name the scrape can hold: TYPE lines, with a histogram's _bucket/_sum/_count series. */
function scrapedNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const match of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    const [, name, type] = match;
    if (name === undefined) continue;
    names.add(name);
    if (type === 'histogram' || type === 'summary') for (const suffix of ['_bucket', '_sum', '_count']) names.add(`${name}${suffix}`);
  }
  return names;
}

function metricsIn(expression: string): string[] {
  return [...expression.matchAll(/\bcd_[a-zA-Z0-9_]+/g)].map((match) => match[0]);
}

interface Panel {
  readonly id: number;
  readonly type: string;
  readonly title: string;
  readonly targets?: ReadonlyArray<{ readonly expr: string }>;
  readonly gridPos: { readonly h: number; readonly w: number; readonly x: number; readonly y: number };
}

t.test('every metric in the dashboard and the alerts exists in a live scrape', async (t) => {
  const server = await startTestServer();
  t.teardown(() => server.stop());
  const scrape = await (await fetch(`${server.metricsBase}/metrics`)).text();
  const names = scrapedNames(scrape);
  t.ok(names.has('cd_calls_overdue') && names.has('cd_calls_open'), 'the service-level gauges are exported');

  const dashboard = JSON.parse(readFileSync(dashboardPath, 'utf8')) as { uid: string; title: string; panels: Panel[]; templating: { list: Array<{ query?: unknown }> } };
  t.equal(dashboard.uid, 'clinic-dispatch');
  const ids = dashboard.panels.map((panel) => panel.id);
  t.equal(new Set(ids).size, ids.length, 'panel ids are unique');
  const expressions: Array<{ where: string; expr: string }> = [];
  for (const panel of dashboard.panels) {
    t.ok(panel.gridPos.x + panel.gridPos.w <= 24, `panel "${panel.title}" fits the grid`);
    if (panel.type === 'row') continue;
    t.ok((panel.targets ?? []).length > 0, `panel "${panel.title}" has queries`);
    for (const target of panel.targets ?? []) expressions.push({ where: `dashboard panel "${panel.title}"`, expr: target.expr });
  }
  for (const variable of dashboard.templating.list) {
    const query = variable.query;
    const text = typeof query === 'string' ? query : typeof query === 'object' && query !== null ? String((query as { query?: unknown }).query ?? '') : '';
    expressions.push({ where: 'dashboard variable', expr: text });
  }

  const alerts = parseYamlSubset(readFileSync(alertsPath, 'utf8')) as { groups: Array<{ name: string; rules: Array<Record<string, unknown>> }> };
  const alertNames: string[] = [];
  for (const group of alerts.groups) {
    t.ok(typeof group.name === 'string' && group.rules.length > 0, `group ${group.name} has rules`);
    for (const rule of group.rules) {
      const name = String(rule['alert']);
      alertNames.push(name);
      t.ok(typeof rule['expr'] === 'string' && rule['expr'] !== '', `${name} has an expr`);
      t.match(String(rule['for']), /^\d+[smh]$/, `${name} has a for duration`);
      t.match(rule['labels'], { severity: /^(page|ticket)$/ }, `${name} has a severity`);
      t.match(rule['annotations'], { summary: String, description: String }, `${name} has a summary and a description`);
      expressions.push({ where: `alert ${name}`, expr: String(rule['expr']) });
    }
  }
  t.same(new Set(alertNames).size, alertNames.length, 'alert names are unique');
  for (const required of ['CallsNotAssignedInTime', 'CallsNotServedInTime', 'EngineEventLoopStall', 'LogCommitSlow', 'ProjectorLagging']) t.ok(alertNames.includes(required), `alert ${required}`);

  const missing: string[] = [];
  const used = new Set<string>();
  for (const { where, expr } of expressions) {
    for (const metric of metricsIn(expr)) {
      used.add(metric);
      if (!names.has(metric)) missing.push(`${metric} (${where})`);
    }
  }
  t.same(missing, [], 'no reference to a metric the server does not export');
  for (const required of [
    'cd_http_requests_total', 'cd_http_request_duration_seconds_bucket', 'cd_ws_connections', 'cd_ws_frames_published_total', 'cd_ws_bytes_published_total',
    'cd_event_loop_delay_seconds', 'cd_event_loop_utilization', 'cd_log_commit_duration_seconds_bucket', 'cd_projector_lag_entries', 'cd_worker_queue_depth', 'cd_calls_overdue',
  ]) t.ok(used.has(required), `the dashboard or the alerts use ${required}`);
});

t.test('metric types follow the Prometheus conventions (issue 13, defect 9)', async (t) => {
  const server = await startTestServer();
  t.teardown(() => server.stop());
  // One document route, so the worker pool's series have moved.
  await fetch(`${server.base}/api/v1/doctors/gp1-d1/route-sheet`, { headers: { authorization: `Bearer ${server.tokens.admin}` } }).then((r) => r.arrayBuffer());
  const scrape = await (await fetch(`${server.metricsBase}/metrics`)).text();
  const types = new Map<string, string>();
  for (const match of scrape.matchAll(/^# TYPE (\S+) (\S+)$/gm)) types.set(match[1] as string, match[2] as string);
  for (const [name, type] of types) {
    if (!name.startsWith('cd_') || name.startsWith('cd_node_')) continue;
    if (type === 'counter') t.match(name, /_total$/, `counter ${name} ends in _total`);
    if (type === 'gauge') {
      t.notMatch(name, /_total$/, `gauge ${name} does not pose as a counter`);
      t.notMatch(scrape, new RegExp(`^${name}\\{[^}]*\\bquantile=`, 'm'), `gauge ${name} does not use the summary's quantile label`);
    }
  }
  t.equal(types.get('cd_worker_tasks_total'), 'counter', 'worker task outcomes are a counter');
  t.match(scrape, /^cd_worker_tasks_total\{outcome="completed"\} [1-9]/m, 'the completed route sheet is counted');
  t.equal(types.get('cd_worker_queue_depth'), 'gauge', 'the worker queue panel has its gauge');
  t.match(scrape, /^cd_event_loop_delay_seconds\{stat="max"\} /m, 'the stall alert reads stat="max"');
});

t.test('the YAML subset reader', async (t) => {
  t.same(parseYamlSubset('a: 1\nb:\n  - x: "q: r"\n    y: |\n      line one\n      line two\n  - plain\nc: true\n# comment\nd: \'it\'\'s\'\n'), {
    a: 1, b: [{ x: 'q: r', y: 'line one\nline two\n' }, 'plain'], c: true, d: "it's",
  });
  t.throws(() => parseYamlSubset('a: [1, 2]\n'), /flow collections/);
});
