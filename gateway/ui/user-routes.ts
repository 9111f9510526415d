/**
 * User administration for the operator UI (admin only): list, create, change role / clinic / doctor /
 * password, disable and enable. Any change that alters what a user may see, and disabling, signs out the
 * user's sessions at once: their sockets close with 4001 within the moment, and a disabled user's webhook
 * subscriptions stop delivering until the user is enabled again (docs/security.md).
 */
import { Type } from '@sinclair/typebox';
import type { ReadModel } from '../../engine/index.ts';
import { Problem } from '../http/problem.ts';
import { defineRoute, type Route } from '../http/route.ts';
import { Id, problemReplies } from '../schemas/common.ts';
import { passwordCharsMax, passwordCharsMin } from './password-hash.ts';
import type { PrincipalChange } from '../auth/token-store.ts';
import type { SessionStore } from './session-store.ts';
import { uiRoles, UserError, viewOf, type UiRole, type UserPatch, type UserStore, type UserView } from './user-store.ts';

const tag = 'Operator UI users';
const closed = { additionalProperties: false } as const;
const Password = Type.String({ minLength: passwordCharsMin, maxLength: passwordCharsMax });
const RoleSchema = Type.Union(uiRoles.map((role) => Type.Literal(role)));
const Login = Type.String({ pattern: '^[a-z0-9][a-z0-9._-]{2,63}$' });
const CreateBody = Type.Object({ login: Login, password: Password, role: RoleSchema, clinicId: Type.Optional(Id), doctorId: Type.Optional(Id) }, closed);
const UpdateBody = Type.Object({ password: Type.Optional(Password), role: Type.Optional(RoleSchema), clinicId: Type.Optional(Id), doctorId: Type.Optional(Id) }, closed);
const UserSchema = Type.Object({ login: Type.String(), role: RoleSchema, disabled: Type.Boolean() }, { additionalProperties: true, $id: 'User' });

export interface UserRouteDeps {
  readonly users: UserStore;
  readonly sessions: SessionStore;
  readonly read: () => ReadModel;
  readonly now: () => number;
  /** Tells open sockets and webhooks that a user was disabled or enabled (TokenStore.announce). */
  readonly announce?: (change: PrincipalChange) => void;
  /** Clears a login's failed sign-ins (the per-login limit), so its owner can sign in at once. */
  readonly unlock?: (login: string) => void;
}

export function userRoutes(deps: UserRouteDeps): Route[] {
  const setDisabled = (disabled: boolean) => async (login: string): Promise<{ status: number; body: unknown }> => {
    const user = await guarded(() => deps.users.update(login, { disabled }, deps.now()));
    const sessionsClosed = disabled ? await deps.sessions.closeAllOf(login) : 0;
    deps.announce?.({ kind: disabled ? 'principal-disabled' : 'principal-enabled', principalId: `u.${login}` });
    return { status: 200, body: { ...user, sessionsClosed } };
  };
  const disable = setDisabled(true);
  const enable = setDisabled(false);
  return [
    defineRoute({
      method: 'get', path: '/api/v1/admin/users', operationId: 'listUsers', tag, roles: ['admin'], summary: 'Sign-in users of the operator UI',
      replies: { 200: Type.Array(UserSchema), ...problemReplies },
      handle: () => ({ status: 200, body: deps.users.list() }),
    }),
    defineRoute({
      method: 'post', path: '/api/v1/admin/users', operationId: 'createUser', tag, roles: ['admin'], body: CreateBody,
      summary: 'Create a user with a role (admin, operator, doctor), a clinic and, for a doctor, the doctor',
      replies: { 201: UserSchema, ...problemReplies },
      handle: async (context) => {
        const body = context.body;
        checkPlace(deps.read(), body.role, body.clinicId, body.doctorId);
        const user = await guarded(() => deps.users.create(body, deps.now()));
        return { status: 201, body: user, headers: { Location: `/api/v1/admin/users/${user.login}` } };
      },
    }),
    defineRoute({
      method: 'post', path: '/api/v1/admin/users/:login', operationId: 'updateUser', tag, roles: ['admin'], body: UpdateBody,
      summary: "Change a user's role, clinic, doctor or password; signs out the user's sessions",
      replies: { 200: UserSchema, ...problemReplies },
      handle: async (context) => {
        const login = context.params[0] as string;
        const current = deps.users.get(login);
        if (current === undefined) throw new Problem(404, 'not_found', `no user ${login}`);
        const patch = context.body as UserPatch;
        const role = patch.role ?? current.role;
        checkPlace(deps.read(), role, patch.clinicId ?? current.clinicId, patch.doctorId ?? (role === 'doctor' ? current.doctorId : undefined));
        const user: UserView = await guarded(() => deps.users.update(login, patch, deps.now()));
        const sessionsClosed = await deps.sessions.closeAllOf(login);
        return { status: 200, body: { ...user, sessionsClosed } };
      },
    }),
    defineRoute({
      method: 'post', path: '/api/v1/admin/users/:login/disable', operationId: 'disableUser', tag, roles: ['admin'],
      summary: 'Disable a user: no sign-in, and its sessions end now', replies: { 200: UserSchema, ...problemReplies },
      handle: (context) => disable(context.params[0] as string),
    }),
    defineRoute({
      method: 'post', path: '/api/v1/admin/users/:login/unlock', operationId: 'unlockUser', tag, roles: ['admin'],
      summary: "Clear a user's failed sign-ins, so the owner may sign in at once (the per-address limit stays)", replies: { 200: UserSchema, ...problemReplies },
      handle: (context) => {
        const login = context.params[0] as string;
        const user = deps.users.get(login);
        if (user === undefined) throw new Problem(404, 'not_found', `no user ${login}`);
        deps.unlock?.(login);
        return { status: 200, body: { ...viewOf(user), unlocked: true } };
      },
    }),
    defineRoute({
      method: 'post', path: '/api/v1/admin/users/:login/enable', operationId: 'enableUser', tag, roles: ['admin'],
      summary: 'Enable a disabled user again', replies: { 200: UserSchema, ...problemReplies },
      handle: (context) => enable(context.params[0] as string),
    }),
  ];
}

/** Operators and doctors work for a clinic that exists; a doctor login names a doctor of that clinic. */
function checkPlace(read: ReadModel, role: UiRole, clinicId: string | undefined, doctorId: string | undefined): void {
  const field = (path: string, message: string) => new Problem(400, 'validation_failed', message, { errors: [{ path, message }] });
  if (clinicId !== undefined && !read.region().clinics.has(clinicId)) throw field('/clinicId', `no clinic ${clinicId}`);
  if (role !== 'admin' && clinicId === undefined) throw field('/clinicId', `an ${role} needs a clinic`);
  if (role !== 'doctor') return;
  if (doctorId === undefined) throw field('/doctorId', 'a doctor login needs the doctor');
  if (read.region().doctors.get(doctorId)?.clinicId !== clinicId) throw field('/doctorId', `no doctor ${doctorId} in clinic ${clinicId ?? ''}`);
}

async function guarded<T>(action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    const status = { exists: 409, not_found: 404, full: 409, invalid: 400 }[error.code];
    throw new Problem(status, error.code === 'exists' ? 'conflict' : error.code, error.message);
  }
}
