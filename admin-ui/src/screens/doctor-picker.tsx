/**
 * Which doctor a screen shows: a doctor sees only themself; operators pick one of the clinic's doctors. The
 * choice is kept in the URL (`?doctor=`), so a reload or a shared link opens the same doctor.
 */
import { useApp } from '../app-context.ts';
import { t } from '../i18n/i18n.ts';
import { navigate, useRoute } from '../router.ts';

export function useDoctorChoice(): string {
  const app = useApp();
  const route = useRoute();
  if (app.user.role === 'doctor' && app.user.doctorId !== undefined) return app.user.doctorId;
  return route.params.get('doctor') ?? app.doctors[0]?.id ?? '';
}

export function chooseDoctor(doctorId: string, extra: Readonly<Record<string, string>> = {}): void {
  const params = new URLSearchParams(location.search);
  params.set('doctor', doctorId);
  for (const [name, value] of Object.entries(extra)) params.set(name, value);
  navigate(`${location.pathname}?${params.toString()}`);
}

export function DoctorPicker({ doctorId }: { readonly doctorId: string }) {
  const app = useApp();
  if (app.user.role === 'doctor') return <strong class="doctor-name">{app.doctors.find((doctor) => doctor.id === doctorId)?.name ?? doctorId}</strong>;
  return (
    <label class="field">
      <span>{t('route.doctor')}</span>
      <select value={doctorId} onChange={(event) => chooseDoctor(event.currentTarget.value)} data-testid="doctor-picker">
        {app.doctors.map((doctor) => <option key={doctor.id} value={doctor.id}>{doctor.name} — {t(doctor.specialty === 'pediatrician' ? 'spec.pediatrician' : 'spec.therapist')}</option>)}
      </select>
    </label>
  );
}
