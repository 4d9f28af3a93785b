/**
 * Every field of the automation as JSON text, with line numbers. A save problem is placed at its
 * path: the line is marked in the gutter, the message shown with the path and line under the text,
 * and the span selected when the problem arrives.
 */
import { useEffect, useMemo, useRef } from 'react';
import { locateJsonPath, type TextSpan } from './json-path-position.ts';
import type { SaveProblem } from './save-problem.ts';

function spanOf(text: string, problem: SaveProblem | null): TextSpan | null {
  if (!problem?.field) return null;
  try {
    JSON.parse(text);
  } catch {
    return null;
  }
  return locateJsonPath(text, problem.field);
}

export function AutomationJsonEditor({
  text,
  problem,
  onChange,
}: {
  text: string;
  problem: SaveProblem | null;
  onChange(text: string): void;
}) {
  const area = useRef<HTMLTextAreaElement>(null);
  const gutter = useRef<HTMLDivElement>(null);
  const lines = text.split('\n').length;
  const span = useMemo(() => spanOf(text, problem), [text, problem]);
  // Select the span when a new problem arrives (not on every keystroke after).
  // biome-ignore lint/correctness/useExhaustiveDependencies: only when the problem changes
  useEffect(() => {
    if (!span || !area.current) return;
    area.current.focus();
    area.current.setSelectionRange(span.start, span.end);
  }, [problem]);
  return (
    <div className="json-editor">
      <div className="json-editor-text">
        <div className="json-gutter mono" ref={gutter} aria-hidden="true">
          {Array.from({ length: lines }, (_, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: a line number is the line's identity
            <div key={i} className={span?.line === i + 1 ? 'json-line-bad' : undefined}>
              {i + 1}
            </div>
          ))}
        </div>
        <textarea
          ref={area}
          className="mono"
          aria-label="Automation JSON"
          spellCheck={false}
          wrap="off"
          rows={Math.min(40, Math.max(12, lines + 1))}
          value={text}
          onChange={(e) => onChange(e.target.value)}
          onScroll={(e) => {
            if (gutter.current) gutter.current.scrollTop = e.currentTarget.scrollTop;
          }}
        />
      </div>
      {problem ? (
        <div className="field-problem json-problem" role="alert" data-problem-field={problem.field ?? ''}>
          {problem.field ? (
            <>
              <code>{problem.field}</code>
              {span ? ` (line ${span.line}${span.exact ? '' : ', where it belongs'})` : ''}:{' '}
            </>
          ) : null}
          {problem.message}
        </div>
      ) : null}
    </div>
  );
}
