/**
 * The runs list's filters: status, tags (several, all required), user, creation time range. They
 * live in the URL (the page passes `onChange`); every change starts again from the newest page.
 */
import './runs.css';
import { type FormEvent, useState } from 'react';
import { fromLocalInput, toLocalInput } from '../../format/local-input.ts';
import { filtersOf, RUN_STATUSES, type RunListSearch } from '../../routes/run-list-search.ts';

function without<K extends keyof RunListSearch>(
  search: RunListSearch,
  key: K,
  value: RunListSearch[K] | undefined,
) {
  const next = { ...filtersOf(search) };
  if (value === undefined || (Array.isArray(value) && value.length === 0)) delete next[key];
  else next[key] = value;
  return next;
}

export function RunFilters({
  search,
  onChange,
}: {
  search: RunListSearch;
  onChange: (next: RunListSearch) => void;
}) {
  const [tagDraft, setTagDraft] = useState('');
  const [userDraft, setUserDraft] = useState(search.user ?? '');
  const tags = search.tag ?? [];
  const set = <K extends keyof RunListSearch>(key: K, value: RunListSearch[K] | undefined) =>
    onChange(without(search, key, value));
  const addTag = (e: FormEvent) => {
    e.preventDefault();
    const tag = tagDraft.trim();
    if (tag === '') return;
    setTagDraft('');
    if (!tags.includes(tag)) set('tag', [...tags, tag]);
  };
  const applyUser = (e: FormEvent) => {
    e.preventDefault();
    set('user', userDraft.trim() || undefined);
  };
  const active = Object.keys(filtersOf(search)).length > 0;
  return (
    <fieldset className="toolbar run-filters" aria-label="Filters">
      <label>
        Status
        <select
          name="status"
          value={search.status ?? ''}
          onChange={(e) =>
            set(
              'status',
              RUN_STATUSES.find((s) => s === e.target.value),
            )
          }
        >
          <option value="">any</option>
          {RUN_STATUSES.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
      </label>
      <form onSubmit={addTag} className="run-filters-field">
        <label>
          Tag
          <input
            name="tag"
            placeholder="add a tag…"
            value={tagDraft}
            onChange={(e) => setTagDraft(e.target.value)}
            size={14}
          />
        </label>
      </form>
      {tags.map((tag) => (
        <span key={tag} className="tag-chip tag-chip-filter" title={tag}>
          <span className="tag-chip-text">{tag}</span>
          <button
            type="button"
            aria-label={`Remove tag filter ${tag}`}
            onClick={() =>
              set(
                'tag',
                tags.filter((t) => t !== tag),
              )
            }
          >
            ×
          </button>
        </span>
      ))}
      <form onSubmit={applyUser} className="run-filters-field">
        <label>
          User
          <input
            name="user"
            placeholder="any"
            value={userDraft}
            onChange={(e) => setUserDraft(e.target.value)}
            onBlur={applyUser}
            size={10}
          />
        </label>
      </form>
      <label>
        Since
        <input
          type="datetime-local"
          name="since"
          value={toLocalInput(search.since)}
          onChange={(e) => set('since', fromLocalInput(e.target.value))}
        />
      </label>
      <label>
        Until
        <input
          type="datetime-local"
          name="until"
          value={toLocalInput(search.until)}
          onChange={(e) => set('until', fromLocalInput(e.target.value))}
        />
      </label>
      {active && (
        <button
          type="button"
          onClick={() => {
            setUserDraft('');
            onChange({});
          }}
        >
          Clear filters
        </button>
      )}
    </fieldset>
  );
}
