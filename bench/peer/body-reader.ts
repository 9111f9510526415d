// Narrows an untyped JSON body field by field for the pg peer, collecting every error as {path, message} (the
// `errors` of an RFC 9457 problem) instead of stopping at the first. Strings are capped at `stringCharsMax`.

export const stringCharsMax = 2_000;

export interface FieldError {
  readonly path: string;
  readonly message: string;
}

interface StringRule {
  readonly required: boolean;
  readonly pattern?: RegExp;
  readonly oneOf?: readonly string[];
}

function isRecord(value: unknown): value is { readonly [key: string]: unknown } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export class BodyReader {
  readonly errors: FieldError[] = [];

  constructor(private readonly root: unknown) {
    if (!isRecord(root)) this.errors.push({ path: '', message: 'must be a JSON object' });
  }

  /** The value at a dotted path, or undefined when any step is missing. */
  at(path: string): unknown {
    let current: unknown = this.root;
    for (const key of path.split('.')) {
      if (!isRecord(current)) return undefined;
      current = current[key];
    }
    return current;
  }

  string(path: string, rule: StringRule): string | undefined {
    const value = this.at(path);
    if (value === undefined || value === null) {
      if (rule.required) this.errors.push({ path, message: 'is required' });
      return undefined;
    }
    if (typeof value !== 'string' || value.length === 0 || value.length > stringCharsMax) {
      this.errors.push({ path, message: `must be a non-empty string of at most ${stringCharsMax} characters` });
      return undefined;
    }
    if (rule.pattern !== undefined && !rule.pattern.test(value)) {
      this.errors.push({ path, message: `must match ${rule.pattern.source}` });
      return undefined;
    }
    if (rule.oneOf !== undefined && !rule.oneOf.includes(value)) {
      this.errors.push({ path, message: `must be one of ${rule.oneOf.join(', ')}` });
      return undefined;
    }
    return value;
  }

  object(path: string, required: boolean): { readonly [key: string]: unknown } | undefined {
    const value = this.at(path);
    if (value === undefined) {
      if (required) this.errors.push({ path, message: 'is required' });
      return undefined;
    }
    if (!isRecord(value)) {
      this.errors.push({ path, message: 'must be an object' });
      return undefined;
    }
    return value;
  }

  stringArray(path: string): string[] | undefined {
    const value = this.at(path);
    if (value === undefined) return undefined;
    const items: readonly unknown[] = Array.isArray(value) ? value : [];
    const strings = items.filter((item): item is string => typeof item === 'string' && item.length <= stringCharsMax);
    if (!Array.isArray(value) || strings.length !== items.length) {
      this.errors.push({ path, message: 'must be an array of strings' });
      return undefined;
    }
    return strings;
  }
}
