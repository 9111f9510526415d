/**
 * Sign-in for the operator UI: `POST /api/v1/auth/login` (login + password → a session token and who you
 * are; with `cookie: true`, as the UI signs in, the token comes only as an HttpOnly cookie), `POST /api/v1/auth/logout` (ends the session the request came with), `GET /api/v1/auth/me` (who this
 * token is; the UI checks a stored session with it). Wrong login and wrong password get the same 401, after
 * the same scrypt work; attempts are limited per login and per client address, counted before the password
 * is checked, and all sign-ins share one budget of scrypt work (gateway/ui/login-limiter.ts).
 */
import { Type } from '@sinclair/typebox';
import type { Principal } from '../auth/principal.ts';
import { Problem } from '../http/problem.ts';
import { defineRoute, type Route } from '../http/route.ts';
import { problemReplies } from '../schemas/common.ts';
import { isoAt } from '../views.ts';
import type { HashBudget, LoginLimiter } from './login-limiter.ts';
import { decoyPasswordHash, passwordCharsMax, verifyPassword } from './password-hash.ts';
import type { SessionStore } from './session-store.ts';
import { viewOf, type UserStore } from './user-store.ts';
import { clearedSessionCookie, sessionCookie } from '../auth/session-cookie.ts';

const tag = 'Operator UI sign-in';
const closed = { additionalProperties: false } as const;
const LoginBody = Type.Object({
  login: Type.String({ minLength: 1, maxLength: 64 }),
  password: Type.String({ minLength: 1, maxLength: passwordCharsMax }),
  /** The UI's way: the session as an HttpOnly cookie, and no token in the reply (docs/security.md). */
  cookie: Type.Optional(Type.Boolean()),
}, closed);
const PrincipalView = Type.Object({ id: Type.String(), role: Type.String(), label: Type.String(), scope: Type.Object({}, { additionalProperties: true }) }, { additionalProperties: true });
const SessionView = Type.Object({ token: Type.Optional(Type.String()), expiresAt: Type.String(), principal: PrincipalView, user: Type.Object({}, { additionalProperties: true }) }, { additionalProperties: true, $id: 'Session' });

export interface AuthRouteDeps {
  readonly users: UserStore;
  readonly sessions: SessionStore;
  readonly limiter: LoginLimiter;
  /** Bounds the scrypt work of all sign-ins together. */
  readonly hashBudget: HashBudget;
  readonly now: () => number;
}

export function authRoutes(deps: AuthRouteDeps): Route[] {
  return [
    defineRoute({
      method: 'post', path: '/api/v1/auth/login', operationId: 'signIn', tag, public: true, body: LoginBody,
      summary: 'Sign in with login and password: a session token (Bearer) that expires, for the UI and its WebSocket',
      replies: { 200: SessionView, ...problemReplies },
      handle: async (context) => {
        const login = context.body.login.trim().toLowerCase();
        const address = context.remoteAddress ?? '';
        // Counted before the password is checked, so concurrent guesses cannot all be evaluated.
        const waitMs = deps.limiter.begin(login, address, deps.now());
        if (waitMs > 0) {
          const seconds = Math.ceil(waitMs / 1000);
          throw new Problem(429, 'too_many_attempts', `too many sign-in attempts; try again in ${seconds} s`, { headers: { 'Retry-After': String(seconds) } });
        }
        const user = deps.users.get(login);
        const checked = await deps.hashBudget.run(() => verifyPassword(context.body.password, user?.passwordHash ?? decoyPasswordHash));
        if (checked === undefined) {
          deps.limiter.abandoned(login, address);
          throw new Problem(503, 'busy', 'sign-in is busy; try again in a second', { headers: { 'Retry-After': '1' } });
        }
        if (user === undefined || !checked.value || user.disabled) {
          deps.limiter.failed(login, address, deps.now());
          throw new Problem(401, 'bad_credentials', 'wrong login or password, or the user is disabled');
        }
        deps.limiter.succeeded(login, address);
        const session = await deps.sessions.open(user, deps.now());
        const view = { expiresAt: new Date(session.expiresAt).toISOString(), principal: session.principal, user: viewOf(user) };
        if (context.body.cookie === true) {
          const cookie = sessionCookie(session.token, (session.expiresAt - deps.now()) / 1000, context.host ?? '');
          return { status: 200, body: view, headers: { 'Set-Cookie': cookie } };
        }
        return { status: 200, body: { token: session.token, ...view } };
      },
    }),
    defineRoute({
      method: 'post', path: '/api/v1/auth/logout', operationId: 'signOut', tag,
      summary: 'End the session this request is authenticated with',
      replies: { 200: Type.Object({ signedOut: Type.Boolean() }), ...problemReplies },
      handle: async (context) => ({
        status: 200,
        body: { signedOut: await deps.sessions.close(context.principal) },
        headers: { 'Set-Cookie': clearedSessionCookie(context.host ?? '') },
      }),
    }),
    defineRoute({
      method: 'get', path: '/api/v1/auth/me', operationId: 'whoAmI', tag,
      summary: 'The principal of this token, and the user when it is a sign-in session',
      replies: { 200: Type.Object({ principal: PrincipalView }, { additionalProperties: true }), ...problemReplies },
      handle: (context) => ({ status: 200, body: whoAmI(deps, context.principal) }),
    }),
  ];
}

function whoAmI(deps: AuthRouteDeps, principal: Principal): Record<string, unknown> {
  const login = principal.id.startsWith('u.') ? principal.id.slice(2) : undefined;
  const user = login === undefined ? undefined : deps.users.get(login);
  return { principal, ...(user === undefined ? {} : { user: viewOf(user) }), at: isoAt(deps.now(), 'UTC') };
}
