// The house number is read by a scan, not a regex match; it must read what the regex /(\d{1,5})/ read.
import t from 'tap';
import { houseNumber, streetKey } from './street-key.ts';

function byRegex(raw: string): number | undefined {
  const match = /(\d{1,5})/.exec(raw);
  return match === null ? undefined : Number(match[1]);
}

t.test('houseNumber agrees with the first run of at most five digits', async (t) => {
  const samples = ['12', '12к2', 'д. 12/1', 'д.7', '', 'корп. А', '123456789', 'стр 0012', ' 5 ', '٣', 'дом 3-5', '99999', '100000', 'a1b2'];
  for (const sample of samples) t.equal(houseNumber(sample), byRegex(sample), JSON.stringify(sample));
  let wrong = 0;
  const alphabet = ['1', '7', '0', 'к', '/', ' ', '.', 'д', '-'];
  for (let i = 0; i < 20_000; i += 1) {
    let text = '';
    for (let n = i, length = 0; length < 9; length += 1, n = Math.floor(n / 7) + length * 13) text += alphabet[(n + length * i) % alphabet.length];
    if (houseNumber(text) !== byRegex(text)) wrong += 1;
  }
  t.equal(wrong, 0, 'generated addresses');
});

t.test('street keys drop case, ё, punctuation and street-type words', async (t) => {
  t.equal(streetKey('ул. Ленина'), streetKey('Ленина улица'));
  t.equal(streetKey(' пр-т Ленина '), 'ленина');
  t.equal(streetKey('ул. Королёва'), 'королева');
});
