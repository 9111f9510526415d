/**
 * Short notices ("call No. 12 saved", an error), announced to screen readers (aria-live). At most `toastsMax`
 * shown; each leaves after `toastMs`. Signed in they sit in a strip of their own at the foot of the shell
 * (`docked`): the page above shrinks by their height, so a notice never covers a button or a field.
 */
import { useEffect, useState } from 'preact/hooks';

export const toastsMax = 4;
export const toastMs = 6_000;

interface Toast {
  readonly id: number;
  readonly text: string;
  readonly kind: 'ok' | 'error';
}

let toasts: Toast[] = [];
let nextId = 0;
const listeners = new Set<(toasts: Toast[]) => void>();

function publish(): void {
  for (const listener of listeners) listener(toasts);
}

export function toast(text: string, kind: 'ok' | 'error' = 'ok'): void {
  nextId += 1;
  const id = nextId;
  toasts = [...toasts, { id, text, kind }].slice(-toastsMax);
  publish();
  setTimeout(() => {
    toasts = toasts.filter((item) => item.id !== id);
    publish();
  }, toastMs);
}

export function Toasts({ docked = false }: { readonly docked?: boolean }) {
  const [items, setItems] = useState(toasts);
  useEffect(() => {
    listeners.add(setItems);
    return () => void listeners.delete(setItems);
  }, []);
  return (
    <div class={docked ? 'toasts toasts-docked' : 'toasts'} aria-live="polite" data-testid="toasts">
      {items.map((item) => (
        <div key={item.id} class={`toast toast-${item.kind}`} data-testid={`toast-${item.kind}`}>{item.text}</div>
      ))}
    </div>
  );
}
