/**
 * The editor form's small inputs. Each keeps its own text while typed (a list typed as
 * `a, b,` or JSON halfway written must not be re-printed under the cursor) and reports the value
 * it stands for; the form remounts them when the draft changes from outside (the JSON editor).
 */
import { type ReactNode, useId, useState } from 'react';
import { FieldProblem } from './field-problem.tsx';
import type { SaveProblem } from './save-problem.ts';

/** Where the form shows the current save problem: the problem and the form path it belongs to. */
export interface Shown {
  problem: SaveProblem | null;
  at: string | null;
}

export function Field({
  label,
  path,
  shown,
  hint,
  children,
  extraPaths = [],
}: {
  label: string;
  path: string;
  shown: Shown;
  hint?: ReactNode;
  children: (id: string) => ReactNode;
  /** Other paths whose problems belong here too (`trigger.withinMs` under the window field). */
  extraPaths?: readonly string[];
}) {
  const id = useId();
  const marked = shown.at === path || extraPaths.includes(shown.at ?? '');
  return (
    <div className={`field${marked ? ' field-bad' : ''}`} data-field={path}>
      <label htmlFor={id}>{label}</label>
      {children(id)}
      {hint ? <div className="field-hint">{hint}</div> : null}
      {[path, ...extraPaths].map((p) => (
        <FieldProblem key={p} path={p} problem={shown.problem} at={shown.at} />
      ))}
    </div>
  );
}

export function TextInput({
  id,
  value,
  onChange,
  placeholder,
}: {
  id: string;
  value: string;
  onChange(value: string): void;
  placeholder?: string;
}) {
  return (
    <input
      id={id}
      type="text"
      value={value}
      placeholder={placeholder}
      onChange={(e) => onChange(e.target.value)}
    />
  );
}

/** Comma-separated words → a list (empty entries dropped). */
export function ListInput({
  id,
  value,
  onChange,
  placeholder,
}: {
  id: string;
  value: readonly string[];
  onChange(value: string[]): void;
  placeholder?: string;
}) {
  const [text, setText] = useState(value.join(', '));
  return (
    <input
      id={id}
      type="text"
      value={text}
      placeholder={placeholder}
      onChange={(e) => {
        setText(e.target.value);
        onChange(
          e.target.value
            .split(',')
            .map((s) => s.trim())
            .filter((s) => s !== ''),
        );
      }}
    />
  );
}

/** A JSON object typed as text; reported only while it parses to an object. */
export function JsonObjectInput({
  id,
  value,
  onChange,
}: {
  id: string;
  value: Record<string, unknown> | undefined;
  onChange(value: Record<string, unknown>): void;
}) {
  const [text, setText] = useState(JSON.stringify(value ?? {}, null, 2));
  const [bad, setBad] = useState<string | null>(null);
  return (
    <>
      <textarea
        id={id}
        className="mono"
        rows={Math.min(10, Math.max(3, text.split('\n').length))}
        value={text}
        spellCheck={false}
        onChange={(e) => {
          setText(e.target.value);
          try {
            const parsed: unknown = JSON.parse(e.target.value);
            if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
              throw new Error('it must be a JSON object, {…}');
            setBad(null);
            onChange(parsed as Record<string, unknown>);
          } catch (error) {
            setBad((error as Error).message);
          }
        }}
      />
      {bad ? <div className="field-problem">Not used yet: {bad}</div> : null}
    </>
  );
}
