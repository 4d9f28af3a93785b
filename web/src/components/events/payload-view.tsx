/**
 * An event's payload, as a collapsible tree or as its raw JSON with a copy button (the view is
 * kept in the URL, `?payload=raw`). Both are React text: a payload holding HTML shows the markup.
 */
import { Link } from '@tanstack/react-router';
import { useState } from 'react';
import type { FlowtrailEventRecord } from '../../api/client.ts';
import { ValueTree } from '../task/artifact-preview.tsx';
import { jsonPreview } from './json-preview.ts';

export type PayloadView = 'tree' | 'raw';

function CopyButton({ text }: { text: string }) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  return (
    <button
      type="button"
      onClick={() =>
        navigator.clipboard.writeText(text).then(
          () => setState('copied'),
          () => setState('failed'),
        )
      }
    >
      {state === 'copied' ? 'Copied' : state === 'failed' ? 'Copy refused: select the text' : 'Copy JSON'}
    </button>
  );
}

export function PayloadPanel({ event, view }: { event: FlowtrailEventRecord; view: PayloadView }) {
  const raw = JSON.stringify(event.payload, null, 2);
  const empty = Object.keys(event.payload).length === 0;
  return (
    <div className="panel payload-panel">
      <div className="payload-bar">
        <nav className="tabs" aria-label="Payload views">
          <Link
            to="/events/$eventId"
            params={{ eventId: event.id }}
            search={{}}
            replace
            className={view === 'tree' ? 'active' : ''}
          >
            Tree
          </Link>
          <Link
            to="/events/$eventId"
            params={{ eventId: event.id }}
            search={{ payload: 'raw' }}
            replace
            className={view === 'raw' ? 'active' : ''}
          >
            Raw JSON
          </Link>
        </nav>
        <CopyButton text={raw} />
      </div>
      {empty ? (
        <span className="muted">empty</span>
      ) : view === 'raw' ? (
        <pre className="text payload" data-testid="payload-raw">
          {raw}
        </pre>
      ) : (
        <div className="payload" data-testid="payload-tree">
          <ValueTree node={jsonPreview(event.payload)} />
        </div>
      )}
    </div>
  );
}
