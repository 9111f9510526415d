/**
 * Russian names in the accusative, for «передан в …»: «Городская поликлиника № 1» → «Городскую поликлинику № 1»,
 * «Поликлиника Заволжского района» → «Поликлинику Заволжского района». The leading adjectives and the head
 * noun change (feminine -ая/-яя → -ую/-юю, -а/-я → -у/-ю); everything after the head noun (a genitive, a
 * number, a name in quotes) stays. Masculine and neuter inanimate names are the same in the accusative, and
 * an abbreviation (ГБУЗ, ЦРБ) or a quoted name is left alone, so the rule only ever changes what it knows.
 */
const feminineAdjective = /^(.*[^\s])(ая|яя)$/u;
const adjectiveEnding = /(ая|яя|ый|ий|ой|ое|ее)$/u;

function inflectWord(word: string): { readonly word: string; readonly head: boolean } {
  const adjective = feminineAdjective.exec(word);
  if (adjective !== null) return { word: `${adjective[1]}${adjective[2] === 'ая' ? 'ую' : 'юю'}`, head: false };
  if (adjectiveEnding.test(word)) return { word, head: false };
  // The head noun: feminine in -а/-я takes -у/-ю; any other noun (masculine, neuter, -ь) is unchanged.
  if (/[^аеёиоуыэюя]а$/u.test(word)) return { word: `${word.slice(0, -1)}у`, head: true };
  if (/я$/u.test(word)) return { word: `${word.slice(0, -1)}ю`, head: true };
  return { word, head: true };
}

/** An abbreviation, a number or a quoted name: never inflected, and it ends the part that could be. */
function isFixed(word: string): boolean {
  return /^[A-ZА-ЯЁ]{2,}/u.test(word) || /^[«"№\d(]/u.test(word) || !/^[а-яё-]+$/iu.test(word);
}

export function accusative(name: string): string {
  const result: string[] = [];
  let done = false;
  for (const word of name.split(' ')) {
    if (done || word === '') {
      result.push(word);
      continue;
    }
    if (isFixed(word)) {
      result.push(word);
      done = true;
      continue;
    }
    const capital = word.slice(0, 1) !== word.slice(0, 1).toLowerCase();
    const changed = inflectWord(word.toLowerCase());
    result.push(capital ? changed.word.slice(0, 1).toUpperCase() + changed.word.slice(1) : changed.word);
    done = changed.head;
  }
  return result.join(' ');
}
