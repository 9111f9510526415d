/**
 * Russian phone numbers normalised to `+7XXXXXXXXXX`: accepts `+7 (912) 345-67-89`, `8 912 345 67 89`,
 * `9123456789`. Anything else is not a phone we can call back.
 */
const phoneCharsMax = 32;

export function normalizePhone(raw: string): string | undefined {
  if (raw.length > phoneCharsMax) return undefined;
  if (!/^[\d\s()+\-.]+$/.test(raw)) return undefined;
  const digits = raw.replace(/\D/g, '');
  if (raw.trim().startsWith('+') && !raw.trim().startsWith('+7')) return undefined;
  if (digits.length === 11 && (digits[0] === '7' || digits[0] === '8')) return `+7${digits.slice(1)}`;
  if (digits.length === 10 && !raw.trim().startsWith('+')) return `+7${digits}`;
  return undefined;
}
