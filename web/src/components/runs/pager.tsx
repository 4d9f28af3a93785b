/** Newest / previous / next links over keyset pages of runs. */
import './runs.css';
import type { RunListSearch } from '../../routes/run-list-search.ts';
import { filtersOf } from '../../routes/run-list-search.ts';

export function Pager({
  search,
  first,
  last,
  hasNewer,
  hasOlder,
  onChange,
}: {
  search: RunListSearch;
  /** Run numbers of the page's first and last rows. */
  first: number | undefined;
  last: number | undefined;
  hasNewer: boolean;
  hasOlder: boolean;
  onChange: (next: RunListSearch) => void;
}) {
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
