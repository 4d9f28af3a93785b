/**
 * The feed's filters: text search, time range (relative spans or from/to), and any number of
 * name / resource / label / related / any-resource / follows criteria added one at a time and shown
 * as removable chips. They live in the URL (the page passes `onChange`); all of them combine (AND),
 * several values of one kind are ORed where the event filter ORs them (names, ids, prefixes).
 */
import { useQuery } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { unwrap } from '../../api/api-error.ts';
import { api } from '../../api/client.ts';
import { fromLocalInput, toLocalInput } from '../../format/local-input.ts';
import {
  type EventFeedSearch,
  LIST_FILTERS,
  type ListFilter,
  SPANS,
  type Span,
  validFilterValue,
  withRange,
} from '../../routes/event-feed-search.ts';

const KIND_TEXT: Record<ListFilter, { label: string; chip: string; placeholder: string }> = {
  event: { label: 'Name is', chip: 'name', placeholder: 'flowtrail.run.completed' },
  prefix: { label: 'Name starts with', chip: 'name starts', placeholder: 'flowtrail.task.' },
  exclude: { label: 'Name is not', chip: 'name is not', placeholder: 'flowtrail.task.started' },
  excludePrefix: {
    label: 'Name does not start with',
    chip: 'name not starting',
    placeholder: 'flowtrail.artifact.',
  },
  resource: { label: 'Resource is', chip: 'resource', placeholder: 'flowtrail.run.ETLFlow/1' },
  resourcePrefix: { label: 'Resource id starts with', chip: 'resource starts', placeholder: 'dataset.' },
  label: { label: 'Resource label', chip: 'label', placeholder: 'key=glob, e.g. acme.env=prod' },
  related: {
    label: 'Related (role:id)',
    chip: 'related',
    placeholder: 'role:id, e.g. tag:flowtrail.tag.nightly',
  },
  relatedLabel: {
    label: 'Related label',
    chip: 'related label',
    placeholder: 'key=glob, e.g. flowtrail.resource.role=owner',
  },
  any: { label: 'Any resource is', chip: 'any resource', placeholder: 'flowtrail.flow.ETLFlow' },
  anyPrefix: { label: 'Any resource starts with', chip: 'any resource starts', placeholder: 'team.' },
  follows: { label: 'Follows event', chip: 'follows', placeholder: 'an event id' },
};

const SPAN_TEXT: Record<Span, string> = {
  '15m': 'Last 15 minutes',
  '1h': 'Last hour',
  '24h': 'Last 24 hours',
  '7d': 'Last 7 days',
  '30d': 'Last 30 days',
};

/** Event names seen in the range, for the name field's suggestions (read when it is focused). */
function useNameSuggestions(enabled: boolean, range: { since?: number; until?: number }): string[] {
  const names = useQuery({
    queryKey: ['events', 'names', range.since ?? null, range.until ?? null],
    enabled,
    staleTime: 60_000,
    queryFn: async () =>
      unwrap(
        await api.POST('/api/v1/events/count', { body: { filter: withRange({}, range), by: 'event' } }),
      ).counts.map((c) => c.value),
  });
  return names.data ?? [];
}

export function FeedFilters({
  search,
  range,
  onChange,
}: {
  search: EventFeedSearch;
  range: { since?: number; until?: number };
  onChange: (next: EventFeedSearch) => void;
}) {
  const [q, setQ] = useState(search.q ?? '');
  const [kind, setKind] = useState<ListFilter>('event');
  const [value, setValue] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [suggest, setSuggest] = useState(false);
  const names = useNameSuggestions(suggest, range);
  const nameKind = kind === 'event' || kind === 'prefix' || kind === 'exclude' || kind === 'excludePrefix';

  const applyText = (e: FormEvent) => {
    e.preventDefault();
    const { q: _q, ...rest } = search;
    onChange(q.trim() === '' ? rest : { ...rest, q: q.trim() });
  };
  const add = (e: FormEvent) => {
    e.preventDefault();
    const v = value.trim();
    if (!validFilterValue(kind, v)) {
      setProblem(`${KIND_TEXT[kind].label}: write ${KIND_TEXT[kind].placeholder}.`);
      return;
    }
    setProblem(null);
    setValue('');
    const before = search[kind] ?? [];
    if (!before.includes(v)) onChange({ ...search, [kind]: [...before, v] });
  };
  const remove = (k: ListFilter, v: string) => {
    const left = (search[k] ?? []).filter((x) => x !== v);
    const next = { ...search };
    if (left.length === 0) delete next[k];
    else next[k] = left;
    onChange(next);
  };
  const setRange = (next: { span?: Span; since?: string; until?: string }) => {
    const { span: _s, since: _a, until: _b, ...rest } = search;
    onChange({ ...rest, ...next });
  };
  const custom = search.since !== undefined || search.until !== undefined;
  const chips = LIST_FILTERS.flatMap((k) => (search[k] ?? []).map((v) => [k, v] as const));

  return (
    <div className="feed-filters">
      <div className="toolbar">
        <form onSubmit={applyText} className="feed-search" aria-label="Search events">
          <input
            name="q"
            type="search"
            placeholder="Search names, labels and payloads (+must -not &quot;a phrase&quot;)"
            value={q}
            onChange={(e) => setQ(e.target.value)}
            maxLength={200}
          />
        </form>
        <label>
          Range
          <select
            name="span"
            value={custom ? 'custom' : (search.span ?? 'all')}
            onChange={(e) => {
              const v = e.target.value;
              if (v === 'all') setRange({});
              else if (v in SPANS) setRange({ span: v as Span });
            }}
          >
            <option value="all">All time</option>
            {(Object.keys(SPANS) as Span[]).map((s) => (
              <option key={s} value={s}>
                {SPAN_TEXT[s]}
              </option>
            ))}
            {custom && <option value="custom">Custom</option>}
          </select>
        </label>
        <label>
          From
          <input
            type="datetime-local"
            name="since"
            value={toLocalInput(search.since)}
            onChange={(e) => {
              const since = fromLocalInput(e.target.value);
              setRange({ ...(since ? { since } : {}), ...(search.until ? { until: search.until } : {}) });
            }}
          />
        </label>
        <label>
          To
          <input
            type="datetime-local"
            name="until"
            value={toLocalInput(search.until)}
            onChange={(e) => {
              const until = fromLocalInput(e.target.value);
              setRange({ ...(search.since ? { since: search.since } : {}), ...(until ? { until } : {}) });
            }}
          />
        </label>
      </div>
      <form className="toolbar feed-add" onSubmit={add} aria-label="Add a filter">
        <select name="filter-kind" value={kind} onChange={(e) => setKind(e.target.value as ListFilter)}>
          {LIST_FILTERS.map((k) => (
            <option key={k} value={k}>
              {KIND_TEXT[k].label}
            </option>
          ))}
        </select>
        <input
          name="filter-value"
          placeholder={KIND_TEXT[kind].placeholder}
          value={value}
          onChange={(e) => setValue(e.target.value)}
          onFocus={() => setSuggest(true)}
          list={nameKind ? 'event-names' : undefined}
          className="feed-add-value"
        />
        <datalist id="event-names">
          {names.map((n) => (
            <option key={n} value={n} />
          ))}
        </datalist>
        <button type="submit">Add filter</button>
        {problem && (
          <span className="feed-problem" role="alert">
            {problem}
          </span>
        )}
      </form>
      {(chips.length > 0 || search.q || search.span || custom) && (
        <fieldset className="feed-chips" aria-label="Active filters">
          {chips.map(([k, v]) => (
            <span key={`${k} ${v}`} className="feed-chip" title={`${KIND_TEXT[k].label}: ${v}`}>
              <span className="feed-chip-kind">{KIND_TEXT[k].chip}</span>
              <span className="feed-chip-value">{v}</span>
              <button
                type="button"
                aria-label={`Remove filter ${KIND_TEXT[k].chip} ${v}`}
                onClick={() => remove(k, v)}
              >
                ×
              </button>
            </span>
          ))}
          <button
            type="button"
            onClick={() => {
              setQ('');
              onChange({});
            }}
          >
            Clear all
          </button>
        </fieldset>
      )}
    </div>
  );
}
