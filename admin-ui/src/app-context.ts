/**
 * What every screen of a signed-in page shares: the user, the clinic being worked (an admin may switch),
 * the region's clinics, the clinic's doctors and districts, and the time zone that every time is shown in.
 */
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Clinic, Doctor, UserView } from './api/types.ts';

export interface AppState {
  readonly user: UserView;
  readonly clinic: Clinic;
  readonly clinics: readonly Clinic[];
  readonly doctors: readonly Doctor[];
  /** The clinic's district names by id (the desk and the assign dialog show names, never ids). */
  readonly districts: ReadonlyMap<string, string>;
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

/** A district's name, or its id while the names are loading (or for one the clinic no longer has). */
export function districtName(state: AppState, districtId: string): string {
  return state.districts.get(districtId) ?? districtId;
}
