/**
 * Street names normalised for district matching: case, `ё`, punctuation and street-type words
 * (ул., улица, пр-т, проспект, …) are dropped, so "ул. Ленина" and "Ленина улица" are one key.
 */
const typeWords = new Set([
  'ул', 'улица', 'пр', 'пр-т', 'просп', 'проспект', 'пер', 'переулок', 'б-р', 'бул', 'бульвар', 'ш',
  'шоссе', 'наб', 'набережная', 'пл', 'площадь', 'проезд', 'пр-д', 'тупик', 'мкр', 'микрорайон', 'аллея',
  'st', 'street', 'ave', 'avenue', 'rd', 'road',
]);

export function streetKey(raw: string): string {
  const tokens = raw
    .toLowerCase()
    .replace(/ё/g, 'е')
    .replace(/[.,;:"'()]/g, ' ')
    .split(/\s+/)
    .filter((token) => token.length > 0 && !typeWords.has(token));
  return tokens.join(' ');
}

/** The leading house number of `12`, `12к2`, `д. 12/1` → 12, or undefined: the first run of digits, at most 5 of them. */
export function houseNumber(raw: string): number | undefined {
  // A scan, not a regex match: this runs for every call routed, and a match builds an array.
  let value = 0;
  let digits = 0;
  for (let i = 0; i < raw.length && digits < houseNumberDigitsMax; i += 1) {
    const code = raw.charCodeAt(i) - 48;
    if (code >= 0 && code <= 9) {
      value = value * 10 + code;
      digits += 1;
    } else if (digits > 0) {
      break;
    }
  }
  return digits === 0 ? undefined : value;
}

/** A house number has at most this many digits; a longer run is read to its first five. */
export const houseNumberDigitsMax = 5;
