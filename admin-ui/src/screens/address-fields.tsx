/** The address part of the new-call form: street address, house, building, structure, flat, entrance, floor, intercom, private sector. */
import { TextField } from '../components/field.tsx';
import { t } from '../i18n/i18n.ts';
import type { CallFormState } from './call-form-model.ts';

export function AddressFields({ form, set }: { readonly form: CallFormState; readonly set: (patch: Partial<CallFormState>) => void }) {
  return (
    <section class="panel">
      <h2>{t('form.address')}</h2>
      <div class="row">
        <TextField name="address" label={t('form.addressText')} value={form.addressText} onValue={(addressText) => set({ addressText })} required wide maxLength={300} />
        <label class="check">
          <input type="checkbox" checked={form.privateSector} onChange={(event) => set({ privateSector: event.currentTarget.checked })} />
          {t('form.privateSector')}
        </label>
      </div>
      <div class="row">
        <TextField name="house" label={t('form.house')} value={form.house} onValue={(house) => set({ house })} maxLength={50} />
        <TextField name="building" label={t('form.building')} value={form.building} onValue={(building) => set({ building })} maxLength={50} />
        <TextField name="structure" label={t('form.structure')} value={form.structure} onValue={(structure) => set({ structure })} maxLength={50} />
        {form.privateSector ? null : (
          <>
            <TextField name="apartment" label={t('form.apartment')} value={form.apartment} onValue={(apartment) => set({ apartment })} maxLength={50} />
            <TextField name="entrance" label={t('form.entrance')} value={form.entrance} onValue={(entrance) => set({ entrance })} maxLength={50} />
            <TextField name="floor" label={t('form.floor')} value={form.floor} onValue={(floor) => set({ floor })} maxLength={4} />
          </>
        )}
        <TextField name="intercom" label={t('form.intercom')} value={form.intercom} onValue={(intercom) => set({ intercom })} maxLength={50} />
      </div>
      <TextField name="landmarks" label={t('form.landmarks')} value={form.landmarks} onValue={(landmarks) => set({ landmarks })} wide maxLength={300} />
    </section>
  );
}
