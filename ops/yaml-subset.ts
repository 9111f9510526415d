/**
 * A reader for the small YAML subset our operations files use (Prometheus rules): block mappings and block
 * sequences by indentation, `- key: value` items, plain, single- and double-quoted scalars, `|` and `>` block
 * scalars, whole-line comments. Flow collections (`[a, b]`, `{a: b}`), anchors, tags and multi-document
 * streams are refused with an error rather than misread. Not a general YAML parser: the project has no YAML
 * dependency, and these files need no more.
 *
 * Bound: `linesMax` lines.
 */

export const linesMax = 100_000;

export type YamlValue = string | number | boolean | null | YamlValue[] | { [key: string]: YamlValue };

interface Line {
  readonly indent: number;
  readonly text: string;
  readonly number: number;
}

export class YamlSubsetError extends Error {
  override readonly name = 'YamlSubsetError';
}

export function parseYamlSubset(source: string): YamlValue {
  const raw = source.split(/\r?\n/);
  if (raw.length > linesMax) throw new YamlSubsetError(`more than ${linesMax} lines`);
  const reader = new Reader(raw);
  const first = reader.peek();
  if (first === undefined) return null;
  const value = reader.block(first.indent);
  const rest = reader.peek();
  if (rest !== undefined) throw new YamlSubsetError(`line ${rest.number}: unexpected indentation`);
  return value;
}

class Reader {
  readonly #raw: readonly string[];
  #index = 0;
  /** A sequence item's inline mapping (`- key: value`) is re-read as a line indented to its key. */
  #pushed: Line | undefined;

  constructor(raw: readonly string[]) {
    this.#raw = raw;
  }

  peek(): Line | undefined {
    if (this.#pushed !== undefined) return this.#pushed;
    while (this.#index < this.#raw.length) {
      const text = this.#raw[this.#index] ?? '';
      const trimmed = text.trim();
      if (trimmed === '' || trimmed.startsWith('#')) {
        this.#index += 1;
        continue;
      }
      if (text.startsWith('\t') || /^\s*\t/.test(text)) throw new YamlSubsetError(`line ${this.#index + 1}: tabs are not allowed for indentation`);
      if (trimmed === '---' || trimmed === '...') throw new YamlSubsetError(`line ${this.#index + 1}: multi-document streams are not supported`);
      return { indent: text.length - text.trimStart().length, text: trimmed, number: this.#index + 1 };
    }
    return undefined;
  }

  #take(): void {
    if (this.#pushed !== undefined) this.#pushed = undefined;
    else this.#index += 1;
  }

  block(indent: number): YamlValue {
    const line = this.peek();
    if (line === undefined) return null;
    return line.text === '-' || line.text.startsWith('- ') ? this.#sequence(indent) : this.#mapping(indent);
  }

  #sequence(indent: number): YamlValue[] {
    const items: YamlValue[] = [];
    for (let line = this.peek(); line !== undefined && line.indent === indent && (line.text === '-' || line.text.startsWith('- ')); line = this.peek()) {
      this.#take();
      const rest = line.text.slice(1).trimStart();
      if (rest === '') {
        const next = this.peek();
        items.push(next !== undefined && next.indent > indent ? this.block(next.indent) : null);
      } else if (/^[^'"][^:]*:(\s|$)/.test(rest) || /^["'][^"']*["']:(\s|$)/.test(rest)) {
        const itemIndent = indent + (line.text.length - rest.length);
        this.#pushed = { indent: itemIndent, text: rest, number: line.number };
        items.push(this.#mapping(itemIndent));
      } else {
        items.push(scalar(rest, line.number));
      }
    }
    return items;
  }

  #mapping(indent: number): { [key: string]: YamlValue } {
    const mapping: { [key: string]: YamlValue } = {};
    for (let line = this.peek(); line !== undefined && line.indent === indent && !(line.text === '-' || line.text.startsWith('- ')); line = this.peek()) {
      const match = /^("(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^'"][^:]*?):(?:\s+(.*))?$/.exec(line.text);
      if (match === null) throw new YamlSubsetError(`line ${line.number}: expected "key: value"`);
      const key = String(scalar(match[1] ?? '', line.number));
      const rest = match[2]?.trim() ?? '';
      this.#take();
      if (rest === '|' || rest === '>' || rest === '|-' || rest === '>-') {
        mapping[key] = this.#blockScalar(indent, rest);
      } else if (rest === '') {
        const next = this.peek();
        const nested = next !== undefined && (next.indent > indent || (next.indent === indent && (next.text === '-' || next.text.startsWith('- '))));
        mapping[key] = nested && next !== undefined ? this.block(next.indent) : null;
      } else {
        mapping[key] = scalar(rest, line.number);
      }
    }
    return mapping;
  }

  /** The raw lines indented deeper than the key, blank lines kept; `|` keeps newlines, `>` folds them. */
  #blockScalar(keyIndent: number, style: string): string {
    const lines: string[] = [];
    let contentIndent: number | undefined;
    while (this.#index < this.#raw.length) {
      const text = this.#raw[this.#index] ?? '';
      const indent = text.length - text.trimStart().length;
      if (text.trim() !== '' && indent <= keyIndent) break;
      if (text.trim() !== '') contentIndent ??= indent;
      lines.push(text.trim() === '' ? '' : text.slice(contentIndent ?? indent));
      this.#index += 1;
    }
    while (lines.length > 0 && lines.at(-1) === '') lines.pop();
    const body = style.startsWith('|') ? lines.join('\n') : lines.join(' ').replace(/ {2,}/g, ' ');
    return style.endsWith('-') ? body : `${body}\n`;
  }
}

function scalar(text: string, lineNumber: number): YamlValue {
  if (text.startsWith('[') || text.startsWith('{')) throw new YamlSubsetError(`line ${lineNumber}: flow collections are not supported`);
  if (text.startsWith('&') || text.startsWith('*') || text.startsWith('!')) throw new YamlSubsetError(`line ${lineNumber}: anchors, aliases and tags are not supported`);
  if (text.startsWith('"')) {
    if (!text.endsWith('"') || text.length < 2) throw new YamlSubsetError(`line ${lineNumber}: unterminated double-quoted string`);
    return JSON.parse(text) as string;
  }
  if (text.startsWith("'")) {
    if (!text.endsWith("'") || text.length < 2) throw new YamlSubsetError(`line ${lineNumber}: unterminated single-quoted string`);
    return text.slice(1, -1).replaceAll("''", "'");
  }
  if (text === 'true' || text === 'false') return text === 'true';
  if (text === 'null' || text === '~') return null;
  if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text);
  if (/\s#/.test(text)) throw new YamlSubsetError(`line ${lineNumber}: trailing comments are not supported`);
  return text;
}
