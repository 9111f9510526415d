/**
 * Message lookup: Russian by default, English on request (remembered in localStorage). Components read the
 * language through `useLang` so a switch re-renders them; `t` fills `{name}` placeholders.
 */
import { useEffect, useState } from 'preact/hooks';
import { en } from './en.ts';
import { ru, type MessageKey } from './ru.ts';

export type Lang = 'ru' | 'en';
export type { MessageKey };

const catalogues: Readonly<Record<Lang, Readonly<Record<MessageKey, string>>>> = { ru, en };
const storageKey = 'cd.lang';
const listeners = new Set<(lang: Lang) => void>();
let current: Lang = readStored();

function readStored(): Lang {
  try {
    return globalThis.localStorage?.getItem(storageKey) === 'en' ? 'en' : 'ru';
  } catch {
    return 'ru';
  }
}

export function lang(): Lang {
  return current;
}

export function setLang(next: Lang): void {
  current = next;
  try {
    globalThis.localStorage?.setItem(storageKey, next);
  } catch {
    // Private mode: the choice lasts for this page only.
  }
  document.documentElement.lang = next;
  for (const listener of listeners) listener(next);
}

export function t(key: MessageKey, params: Readonly<Record<string, string | number>> = {}): string {
  const text = catalogues[current][key];
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

/** A message key built from data (a status, a kind); falls back to the raw value for one the catalogue lacks. */
export function tv(prefix: string, value: string): string {
  const key = `${prefix}.${value}`;
  return key in ru ? t(key as MessageKey) : value;
}

const pluralRules: Readonly<Record<Lang, Intl.PluralRules>> = { ru: new Intl.PluralRules('ru-RU'), en: new Intl.PluralRules('en-GB') };

/** An age in the language's plural form: 1 год, 3 года, 42 года, 45 лет. */
export function years(count: number): string {
  const form = pluralRules[current].select(count);
  const key = `age.years.${form === 'one' || form === 'few' || form === 'many' ? form : 'other'}` as MessageKey;
  return t(key, { years: count });
}

/** Re-renders the component when the language changes; returns the current one. */
export function useLang(): Lang {
  const [value, setValue] = useState(current);
  useEffect(() => {
    listeners.add(setValue);
    return () => void listeners.delete(setValue);
  }, []);
  return value;
}
