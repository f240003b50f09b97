import type { Entry } from '../../vfs/index.js';

export interface SortOrder {
  column: 'name' | 'size' | 'modified';
  direction: 'asc' | 'desc';
}

export const DEFAULT_ORDER: SortOrder = { column: 'name', direction: 'asc' };

/** `?sort=size&order=desc` from the page's column links; anything else is the default order. */
export function sortOrderOf(query: URLSearchParams): SortOrder {
  const column = query.get('sort');
  const direction = query.get('order');
  return {
    column: column === 'size' || column === 'modified' ? column : 'name',
    direction: direction === 'desc' ? 'desc' : 'asc',
  };
}

const byName = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

/**
 * Folders first, as file browsers show them, then the column; ties by name. Folders have no
 * size, so by size they keep name order; entries without a date sort as the oldest. The page's
 * script sorts the same way (keep them in step).
 */
export function sortEntries(entries: readonly Entry[], order: SortOrder): Entry[] {
  const sign = order.direction === 'asc' ? 1 : -1;
  const key = (e: Entry): number => (order.column === 'size' ? (e.kind === 'file' ? e.size : 0) : (e.modified?.getTime() ?? -Infinity));
  return [...entries].sort((a, b) => {
    if (a.kind !== b.kind) return a.kind === 'collection' ? -1 : 1;
    const names = byName.compare(a.name, b.name) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
    if (order.column === 'name') return sign * names;
    const diff = key(a) - key(b);
    return diff !== 0 && !Number.isNaN(diff) ? sign * diff : names;
  });
}
