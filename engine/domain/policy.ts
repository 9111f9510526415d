/** The unified OMS policy number (ЕНП): exactly 16 digits; spaces and dashes typed by operators are dropped. */
export function normalizePolicy(raw: string): string | undefined {
  if (raw.length > 32) return undefined;
  const compact = raw.replace(/[\s-]/g, '');
  return /^\d{16}$/.test(compact) ? compact : undefined;
}
