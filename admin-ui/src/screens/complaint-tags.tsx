/**
 * Complaint quick tags: the engine's list (engine/domain/complaints.ts), labelled from the catalogue; red-flag
 * tags are marked so the operator sees them before picking. Each tag is a toggle button; the group is one Tab
 * stop (a toolbar with a roving tab index): ←/→ (and ↑/↓) move between tags, Home/End to the ends, Space or
 * Enter toggles — so Tab goes from the complaint text past all the tags in one press.
 */
import { useRef, useState } from 'preact/hooks';
import { complaintTags, redFlagTags } from '../../../engine/domain/complaints.ts';
import { t, tv } from '../i18n/i18n.ts';

export function ComplaintTags({ tags, onTags }: { readonly tags: readonly string[]; readonly onTags: (tags: string[]) => void }) {
  const picked = new Set(tags);
  const [active, setActive] = useState(0);
  const box = useRef<HTMLDivElement>(null);
  const moveTo = (index: number): void => {
    const next = (index + complaintTags.length) % complaintTags.length;
    setActive(next);
    box.current?.querySelectorAll<HTMLButtonElement>('button[data-tag]')[next]?.focus();
  };
  const onKeyDown = (event: KeyboardEvent): void => {
    const step = event.key === 'ArrowRight' || event.key === 'ArrowDown' ? 1 : event.key === 'ArrowLeft' || event.key === 'ArrowUp' ? -1 : 0;
    if (step !== 0) moveTo(active + step);
    else if (event.key === 'Home') moveTo(0);
    else if (event.key === 'End') moveTo(complaintTags.length - 1);
    else return;
    event.preventDefault();
  };
  return (
    <div class="tags" role="toolbar" aria-label={t('form.complaintTags')} ref={box} onKeyDown={onKeyDown} data-testid="complaint-tags">
      {complaintTags.map((tag, index) => (
        <button key={tag} type="button" aria-pressed={picked.has(tag)} data-tag={tag} tabIndex={index === active ? 0 : -1}
          class={`tag${picked.has(tag) ? ' on' : ''}${redFlagTags.has(tag) ? ' red' : ''}`}
          onFocus={() => setActive(index)}
          onClick={() => onTags(picked.has(tag) ? tags.filter((item) => item !== tag) : [...tags, tag])}>
          {tv('tag', tag)}
        </button>
      ))}
    </div>
  );
}
