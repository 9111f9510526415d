/**
 * A list that renders only the rows in view (plus `overscanRows` either side), so thousands of calls scroll
 * as smoothly as ten: rows have one fixed height and the container's scroll offset picks the slice. The
 * selected row is kept in view when the selection moves by keyboard. Each rendered row gives itself
 * role="row" and its aria-rowindex (the wrappers here are presentation only).
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';

export const overscanRows = 8;

interface VirtualListProps<T> {
  readonly items: readonly T[];
  readonly rowHeight: number;
  readonly keyOf: (item: T) => string;
  readonly renderRow: (item: T, index: number) => ComponentChildren;
  readonly selectedIndex?: number;
  readonly testId?: string;
  readonly label?: string;
}

export function VirtualList<T>({ items, rowHeight, keyOf, renderRow, selectedIndex, testId, label }: VirtualListProps<T>) {
  const box = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(600);
  useEffect(() => {
    const element = box.current;
    if (element === null) return undefined;
    const observer = new ResizeObserver(() => setHeight(element.clientHeight));
    observer.observe(element);
    setHeight(element.clientHeight);
    return () => observer.disconnect();
  }, []);
  useEffect(() => {
    const element = box.current;
    if (element === null || selectedIndex === undefined || selectedIndex < 0) return;
    const top = selectedIndex * rowHeight;
    if (top < element.scrollTop) element.scrollTop = top;
    else if (top + rowHeight > element.scrollTop + element.clientHeight) element.scrollTop = top + rowHeight - element.clientHeight;
  }, [selectedIndex, rowHeight]);
  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - overscanRows);
  const last = Math.min(items.length, Math.ceil((scrollTop + height) / rowHeight) + overscanRows);
  const rows: ComponentChildren[] = [];
  for (let index = first; index < last; index += 1) {
    const item = items[index] as T;
    rows.push(
      // The row itself carries role="row" (and its index): this wrapper only places it.
      <div key={keyOf(item)} class="vrow" role="presentation" style={{ top: `${index * rowHeight}px`, height: `${rowHeight}px` }}>
        {renderRow(item, index)}
      </div>,
    );
  }
  return (
    <div class="vlist" ref={box} role="grid" aria-rowcount={items.length} aria-label={label} data-testid={testId} data-count={items.length}
      onScroll={(event) => setScrollTop((event.currentTarget as HTMLDivElement).scrollTop)}>
      <div class="vlist-space" role="presentation" style={{ height: `${items.length * rowHeight}px` }}>{rows}</div>
    </div>
  );
}
