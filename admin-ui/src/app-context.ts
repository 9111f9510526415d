/**
 * What every screen of a signed-in page shares: the user, the clinic being worked (an admin may switch),
 * the region's clinics, the clinic's doctors and the time zone that every time is shown in.
 */
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Clinic, Doctor, UserView } from './api/types.ts';

export interface AppState {
  readonly user: UserView;
  readonly clinic: Clinic;
  readonly clinics: readonly Clinic[];
  readonly doctors: readonly Doctor[];
  readonly setClinicId: (clinicId: string) => void;
}

export const AppContext = createContext<AppState | undefined>(undefined);

export function useApp(): AppState {
  const state = useContext(AppContext);
  if (state === undefined) throw new Error('useApp is for screens inside a signed-in page');
  return state;
}

export function timeZoneOf(state: AppState): string {
  return state.clinic.timeZone;
}
