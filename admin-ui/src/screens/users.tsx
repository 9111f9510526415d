/** User administration (admin): the sign-in users, creating one with a role and a clinic (and a doctor), disabling and enabling. */
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api/http.ts';
import type { Doctor, UserView } from '../api/types.ts';
import { useApp } from '../app-context.ts';
import { TextField } from '../components/field.tsx';
import { toast } from '../components/toast.tsx';
import { t } from '../i18n/i18n.ts';

type Role = UserView['role'];

export function Users() {
  const app = useApp();
  const [users, setUsers] = useState<UserView[]>([]);
  const [draft, setDraft] = useState({ login: '', password: '', role: 'operator' as Role, clinicId: app.clinic.id, doctorId: '' });
  const [doctors, setDoctors] = useState<Doctor[]>([]);
  const reload = (): void => void api<UserView[]>('GET', '/api/v1/admin/users').then(setUsers).catch(() => undefined);
  useEffect(reload, []);
  useEffect(() => {
    api<Doctor[]>('GET', `/api/v1/clinics/${encodeURIComponent(draft.clinicId)}/doctors`).then(setDoctors).catch(() => setDoctors([]));
  }, [draft.clinicId]);
  const fail = (error: Error): void => toast(t('app.error', { message: error.message }), 'error');
  const create = (event: Event): void => {
    event.preventDefault();
    const body = { login: draft.login.trim().toLowerCase(), password: draft.password, role: draft.role, clinicId: draft.clinicId, ...(draft.role === 'doctor' ? { doctorId: draft.doctorId } : {}) };
    api('POST', '/api/v1/admin/users', body).then(() => {
      toast(t('users.created', { login: body.login }));
      setDraft({ ...draft, login: '', password: '' });
      reload();
    }).catch(fail);
  };
  const toggle = (user: UserView): void => {
    api('POST', `/api/v1/admin/users/${encodeURIComponent(user.login)}/${user.disabled ? 'enable' : 'disable'}`).then(reload).catch(fail);
  };
  const update = (user: UserView, patch: { role?: Role; clinicId?: string }): void => {
    api('POST', `/api/v1/admin/users/${encodeURIComponent(user.login)}`, patch).then(reload).catch(fail);
  };
  return (
    <div class="users" data-testid="users">
      <h1>{t('users.title')}</h1>
      <form class="panel row" onSubmit={create}>
        <TextField name="newLogin" label={t('users.login')} value={draft.login} onValue={(login) => setDraft({ ...draft, login })} required maxLength={64} />
        <TextField name="newPassword" type="password" label={t('users.password')} value={draft.password} onValue={(password) => setDraft({ ...draft, password })} required maxLength={200} />
        <label class="field"><span>{t('users.role')}</span>
          <select value={draft.role} onChange={(event) => setDraft({ ...draft, role: event.currentTarget.value as Role })}>
            {(['operator', 'doctor', 'admin'] as const).map((role) => <option key={role} value={role}>{t(`role.${role}`)}</option>)}
          </select>
        </label>
        <label class="field"><span>{t('users.clinic')}</span>
          <select value={draft.clinicId} onChange={(event) => setDraft({ ...draft, clinicId: event.currentTarget.value })}>
            {app.clinics.map((clinic) => <option key={clinic.id} value={clinic.id}>{clinic.name}</option>)}
          </select>
        </label>
        {draft.role === 'doctor' ? (
          <label class="field"><span>{t('users.doctor')}</span>
            <select value={draft.doctorId} required onChange={(event) => setDraft({ ...draft, doctorId: event.currentTarget.value })}>
              <option value="" />
              {doctors.map((doctor) => <option key={doctor.id} value={doctor.id}>{doctor.name}</option>)}
            </select>
          </label>
        ) : null}
        <button type="submit" class="primary" disabled={draft.password.length < 8}>{t('users.create')}</button>
      </form>
      <table class="grid">
        <thead><tr><th>{t('users.login')}</th><th>{t('users.role')}</th><th>{t('users.clinic')}</th><th>{t('users.doctor')}</th><th /><th /></tr></thead>
        <tbody>
          {users.map((user) => (
            <tr key={user.login} class={user.disabled ? 'muted' : ''}>
              <td>{user.login}</td>
              <td>
                {user.role === 'doctor' ? t('role.doctor') : (
                  <select value={user.role} aria-label={`${t('users.role')}: ${user.login}`} onChange={(event) => update(user, { role: event.currentTarget.value as Role })}>
                    <option value="operator">{t('role.operator')}</option>
                    <option value="admin">{t('role.admin')}</option>
                  </select>
                )}
              </td>
              <td>
                <select value={user.clinicId ?? ''} disabled={user.role === 'doctor'} aria-label={`${t('users.clinic')}: ${user.login}`} onChange={(event) => update(user, { clinicId: event.currentTarget.value })}>
                  {app.clinics.map((clinic) => <option key={clinic.id} value={clinic.id}>{clinic.name}</option>)}
                </select>
              </td>
              <td>{user.doctorId ?? ''}</td>
              <td>{t(user.disabled ? 'users.disabled' : 'users.active')}</td>
              <td><button type="button" data-testid={`toggle-${user.login}`} onClick={() => toggle(user)}>{t(user.disabled ? 'users.enable' : 'users.disable')}</button></td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
