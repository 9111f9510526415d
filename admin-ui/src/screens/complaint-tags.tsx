/**
 * Complaint quick tags: the engine's list (engine/domain/complaints.ts), labelled from the catalogue; red-flag
 * tags are marked so the operator sees them before picking. Each tag is a toggle button.
 */
import { complaintTags, redFlagTags } from '../../../engine/domain/complaints.ts';
import { t, tv } from '../i18n/i18n.ts';

export function ComplaintTags({ tags, onTags }: { readonly tags: readonly string[]; readonly onTags: (tags: string[]) => void }) {
  const picked = new Set(tags);
  return (
    <div class="tags" role="group" aria-label={t('form.complaints')}>
      {complaintTags.map((tag) => (
        <button key={tag} type="button" aria-pressed={picked.has(tag)} data-tag={tag}
          class={`tag${picked.has(tag) ? ' on' : ''}${redFlagTags.has(tag) ? ' red' : ''}`}
          onClick={() => onTags(picked.has(tag) ? tags.filter((item) => item !== tag) : [...tags, tag])}>
          {tv('tag', tag)}
        </button>
      ))}
    </div>
  );
}
