/**
 * The OpenAPI 3.1 document, generated from the same TypeBox schemas that validate requests: one source, so
 * the document cannot drift from what the server accepts. Served at `GET /api/v1/openapi.json`.
 */
import type { TSchema } from '@sinclair/typebox';
import type { Route } from './http/route.ts';

export function openApiDocument(routes: readonly Route[], version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    // Routes of another dialect (FHIR) document themselves; this document is the partner API's.
    if (route.dialect !== undefined) continue;
    const path = route.path.replace(/:([A-Za-z]+)/g, '{$1}');
    const parameters: unknown[] = [...route.path.matchAll(/:([A-Za-z]+)/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
    const query = route.query as (TSchema & { properties?: Record<string, TSchema>; required?: string[] }) | undefined;
    for (const [name, schema] of Object.entries(query?.properties ?? {})) {
      parameters.push({ name, in: 'query', required: query?.required?.includes(name) ?? false, schema: plain(schema) });
    }
    if (route.method !== 'get') parameters.push({ name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string', maxLength: 200 } });
    const responses: Record<string, unknown> = {};
    for (const [status, schema] of Object.entries(route.replies)) {
      const type = Number(status) >= 400 ? 'application/problem+json' : 'application/json';
      responses[status] = { description: status, content: { [type]: { schema: plain(schema) }, 'application/msgpack': { schema: plain(schema) } } };
    }
    const operation: Record<string, unknown> = { operationId: route.operationId, summary: route.summary, tags: [route.tag], parameters, responses };
    if (route.public !== true) operation['security'] = [{ bearer: [] }];
    if (route.rawBody !== undefined) {
      const content: Record<string, unknown> = {};
      for (const type of route.rawBody.contentTypes) content[type] = { schema: { type: 'string', format: 'binary', maxLength: route.rawBody.bytesMax } };
      operation['requestBody'] = { required: true, description: route.rawBody.description, content };
    } else if (route.body !== undefined) {
      operation['requestBody'] = { required: true, content: { 'application/json': { schema: plain(route.body) }, 'application/msgpack': { schema: plain(route.body) } } };
    }
    paths[path] = { ...(paths[path] ?? {}), [route.method === 'del' as string ? 'delete' : route.method]: operation };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'clinic-dispatch partner API', version, description: 'Home-visit calls, slots and appointments, call-out and webhooks. Errors are application/problem+json (RFC 9457).' },
    servers: [{ url: '/' }],
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    paths,
  };
}

/** TypeBox schemas are JSON Schema with symbol-keyed extras; JSON round-trip leaves the plain schema. */
function plain(schema: TSchema): unknown {
  return JSON.parse(JSON.stringify(schema)) as unknown;
}
