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

/** The leading house number of `12`, `12к2`, `д. 12/1` → 12, or undefined. */
export function houseNumber(raw: string): number | undefined {
  const match = /(\d{1,5})/.exec(raw);
  return match === null ? undefined : Number(match[1]);
}
