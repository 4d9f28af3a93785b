/** Newest / previous / next links over keyset pages of runs. */
import './runs.css';
import type { RunListSearch } from '../../routes/run-list-search.ts';
import { filtersOf } from '../../routes/run-list-search.ts';
import type { PageWindow } from './run-list-state.ts';

export function Pager({
  search,
  page,
  onChange,
}: {
  search: RunListSearch;
  page: PageWindow<{ runNumber: number }>;
  onChange: (next: RunListSearch) => void;
}) {
  const { hasNewer, hasOlder } = page;
  const first = page.rows[0]?.runNumber;
  const last = page.rows.at(-1)?.runNumber;
  const filters = filtersOf(search);
  if (!hasNewer && !hasOlder) return null;
  return (
    <nav className="pager" aria-label="Pages">
      <button type="button" disabled={!hasNewer} onClick={() => onChange(filters)}>
        « Newest
      </button>
      <button
        type="button"
        disabled={!hasNewer || first === undefined}
        onClick={() => first !== undefined && onChange({ ...filters, after: first })}
      >
        ‹ Newer
      </button>
      <button
        type="button"
        disabled={!hasOlder || last === undefined}
        onClick={() => last !== undefined && onChange({ ...filters, before: last })}
      >
        Older ›
      </button>
    </nav>
  );
}
