/**
 * A modal dialog: focus moves into it on open (the first field, or the element marked `data-autofocus`),
 * Tab stays inside, Esc closes it, and focus returns to where it was.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { t } from '../i18n/i18n.ts';

interface DialogProps {
  readonly title: string;
  readonly onClose: () => void;
  readonly children: ComponentChildren;
  readonly wide?: boolean;
  readonly testId?: string;
}

const focusable = 'button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex="0"], a[href]';

export function Dialog({ title, onClose, children, wide, testId }: DialogProps) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const before = document.activeElement instanceof HTMLElement ? document.activeElement : undefined;
    const root = box.current;
    const first = root?.querySelector<HTMLElement>('[data-autofocus]') ?? root?.querySelector<HTMLElement>(focusable);
    first?.focus();
    return () => before?.focus();
  }, []);
  const onKeyDown = (event: KeyboardEvent): void => {
    if (event.key === 'Escape') {
      event.stopPropagation();
      onClose();
      return;
    }
    if (event.key !== 'Tab' || box.current === null) return;
    const items = [...box.current.querySelectorAll<HTMLElement>(focusable)];
    const first = items[0];
    const last = items[items.length - 1];
    if (event.shiftKey && document.activeElement === first) {
      event.preventDefault();
      last?.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first?.focus();
    }
  };
  return (
    <div class="dialog-backdrop" onMouseDown={(event) => { if (event.target === event.currentTarget) onClose(); }}>
      <div class={`dialog${wide === true ? ' dialog-wide' : ''}`} role="dialog" aria-modal="true" aria-label={title} ref={box} onKeyDown={onKeyDown} data-testid={testId}>
        <header class="dialog-head">
          <h2>{title}</h2>
          <button type="button" class="icon" onClick={onClose} aria-label={t('app.close')} title={`${t('app.close')} (Esc)`}>✕</button>
        </header>
        <div class="dialog-body">{children}</div>
      </div>
    </div>
  );
}
