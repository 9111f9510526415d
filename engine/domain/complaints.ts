/**
 * Complaint quick tags of the intake form (the source system's list, in English keys; the UI's catalogue
 * holds the Russian labels) and the red flags that make the operator advise 112/103 instead of a home visit.
 */
export const complaintTags = [
  'temperature', 'cough', 'sore_throat', 'abdominal_pain', 'diarrhoea', 'nausea_vomiting', 'chest_pain',
  'heart_rhythm', 'blood_pressure', 'headache', 'dizziness', 'fainting', 'weakness', 'runny_nose',
  'swollen_lymph_nodes', 'upset_stomach', 'shortness_of_breath', 'oedema', 'numb_limbs', 'unsteady_gait',
  'mild_pain', 'discomfort', 'minor_injury', 'hiccups', 'sleep_problems', 'anxiety', 'swollen_gums',
  'salivation', 'feeding_problems', 'post_vaccination_malaise', 'diathesis', 'rash', 'itching',
  'patronage', 'death_certification',
] as const;

export type ComplaintTag = (typeof complaintTags)[number];

const tagSet: ReadonlySet<string> = new Set(complaintTags);

export function isComplaintTag(value: string): value is ComplaintTag {
  return tagSet.has(value);
}

/**
 * Red-flag tags: signs of a condition that may be life-threatening (acute coronary syndrome, arrhythmia,
 * syncope, respiratory failure, stroke). The call is still registered, but marked so the operator suggests
 * 112 / 103 as the scripts of the source require.
 */
export const redFlagTags: ReadonlySet<ComplaintTag> = new Set<ComplaintTag>([
  'chest_pain',
  'heart_rhythm',
  'fainting',
  'shortness_of_breath',
  'numb_limbs',
]);

/** Phrases in the free text that are red flags too (lower case, `ё` folded to `е`). */
export const redFlagPhrases: readonly string[] = [
  'боль в груди',
  'без сознания',
  'потерял сознание',
  'потеряла сознание',
  'задыха',
  'не может дышать',
  'судорог',
  'онемел',
  'перекосило',
  'кровотечение',
];

export function redFlagsOf(tags: readonly string[], text: string): string[] {
  const found: string[] = [];
  for (const tag of tags) if (redFlagTags.has(tag as ComplaintTag)) found.push(tag);
  const folded = text.toLowerCase().replace(/ё/g, 'е');
  for (const phrase of redFlagPhrases) if (folded.includes(phrase)) found.push(`text:${phrase}`);
  return found;
}
