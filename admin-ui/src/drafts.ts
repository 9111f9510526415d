/**
 * Half-typed forms survive a reload, a crash or a lost session: the draft is written to localStorage on
 * every change (synchronously, so closing the tab loses nothing) and removed once the form is saved; an
 * untouched form leaves nothing behind; signing out removes every draft (they hold patients' data).
 * Drafts are per user and per form. Bound: `draftCharsMax` characters per draft (a form, not a document).
 */
import { useState } from 'preact/hooks';

export const draftCharsMax = 64 * 1024;
/** Every draft key starts so (`cd.draft.<form>.<login>…`). */
export const draftKeyPrefix = 'cd.draft.';

export function readDraft<T>(key: string): T | undefined {
  try {
    const raw = localStorage.getItem(key);
    return raw === null ? undefined : (JSON.parse(raw) as T);
  } catch {
    return undefined;
  }
}

export function clearDraft(key: string): void {
  try {
    localStorage.removeItem(key);
  } catch {
    // Nothing stored.
  }
}

/** Every form's draft (keys `cd.draft.…`): at sign-out, so patients' data does not stay on a shared desk. */
export function clearAllDrafts(): void {
  try {
    const keys: string[] = [];
    for (let index = 0; index < localStorage.length; index += 1) {
      const key = localStorage.key(index);
      if (key !== null && key.startsWith(draftKeyPrefix)) keys.push(key);
    }
    for (const key of keys) localStorage.removeItem(key);
  } catch {
    // Storage unavailable: nothing was kept.
  }
}

function writeDraft(key: string, value: unknown): void {
  const text = JSON.stringify(value);
  if (text.length > draftCharsMax) return;
  try {
    localStorage.setItem(key, text);
  } catch {
    // Storage full or private mode: the form still works, only the draft is not kept.
  }
}

/** Form state backed by a draft: `restored` says the initial value came from a saved draft. */
export function useDraft<T>(key: string, initial: () => T): { value: T; set: (next: T) => void; restored: boolean; reset: () => void } {
  const [state, setState] = useState(() => {
    const draft = readDraft<T>(key);
    return { value: draft ?? initial(), restored: draft !== undefined };
  });
  return {
    value: state.value,
    restored: state.restored,
    set: (next) => {
      // Written at once, not in an effect: a reload right after a keystroke must not lose it.
      writeDraft(key, next);
      setState({ value: next, restored: state.restored });
    },
    reset: () => {
      clearDraft(key);
      setState({ value: initial(), restored: false });
    },
  };
}
