/**
 * The artifacts of one attempt: a list (name, type, size) and the selected one's preview — tree,
 * table of rows, image, or size and download for other bytes. Images are fetched with the tab's
 * key into a Blob of the detected type and shown through an object URL in `<img>` (an SVG there
 * cannot run scripts).
 */
import { useQueries, useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { unwrap } from '../../api/api-error.ts';
import { api, type Schemas } from '../../api/client.ts';
import { QueryState } from '../query-state.tsx';
import { describeNode, type PreviewNode, RowTable, ValueTree } from './artifact-preview.tsx';
import { apiPath, downloadFile, fetchBlob } from './download.ts';
import { formatSize } from './format-size.ts';

type ArtifactRecord = Schemas['Artifact'];

/** Previews fetched up front so the list can say what each artifact is. */
const TYPED_IN_LIST = 30;
/** Images larger than this are offered as a download only. */
const MAX_IMAGE_BYTES = 25 * 1024 * 1024;

interface Where {
  runId: number;
  taskId: number;
  attempt: number;
}

function previewQuery({ runId, taskId, attempt }: Where, name: string) {
  return {
    // Outside the ['task', …] prefix the live view refreshes: a stored artifact never changes.
    queryKey: ['artifact-preview', runId, taskId, attempt, name],
    staleTime: Number.POSITIVE_INFINITY,
    queryFn: async () =>
      unwrap(
        await api.GET('/api/v1/runs/{runId}/tasks/{taskId}/artifacts/{name}/preview', {
          params: { path: { runId, taskId, name }, query: { attempt } },
        }),
      ),
  };
}

const downloadPath = ({ runId, taskId, attempt }: Where, name: string) =>
  apiPath(`/api/v1/runs/${runId}/tasks/${taskId}/artifacts/${encodeURIComponent(name)}/download`, {
    attempt,
  });

function ArtifactImage({ path, name, type }: { path: string; name: string; type: string }) {
  const [url, setUrl] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const abort = new AbortController();
    let made: string | null = null;
    fetchBlob(path, abort.signal).then(
      async (blob) => {
        // The wire type is opaque on purpose; the image type comes from the bytes (server-detected).
        made = URL.createObjectURL(new Blob([await blob.arrayBuffer()], { type }));
        setUrl(made);
      },
      (e: unknown) => {
        if (!abort.signal.aborted) setError(e instanceof Error ? e.message : String(e));
      },
    );
    return () => {
      abort.abort();
      if (made) URL.revokeObjectURL(made);
    };
  }, [path, type]);
  if (error) return <div className="error-box">Could not load the image: {error}</div>;
  if (!url) return <div className="loading">Loading the image…</div>;
  return <img className="task-image" src={url} alt={`artifact ${name}`} />;
}

function Preview({ where, artifact }: { where: Where; artifact: ArtifactRecord }) {
  const preview = useQuery(previewQuery(where, artifact.name));
  const [downloadError, setDownloadError] = useState<string | null>(null);
  return (
    <QueryState isPending={preview.isPending} error={preview.error}>
      {() => {
        const node = preview.data!.preview as PreviewNode;
        return (
          <div className="task-preview" data-testid="artifact-preview">
            <div className="toolbar">
              <strong className="task-name">{artifact.name}</strong>
              <span className="task-muted">
                {describeNode(node)} · {formatSize(artifact.size)} stored ({artifact.codec})
              </span>
              <button
                type="button"
                onClick={() =>
                  downloadFile(downloadPath(where, artifact.name), artifact.name).then(
                    () => setDownloadError(null),
                    (e: unknown) => setDownloadError(e instanceof Error ? e.message : String(e)),
                  )
                }
              >
                Download
              </button>
              {downloadError && (
                <span className="error-box" role="alert">
                  {downloadError}
                </span>
              )}
            </div>
            {node.kind === 'table' ? (
              <RowTable node={node} />
            ) : node.kind === 'bytes' ? (
              node.image && node.size <= MAX_IMAGE_BYTES ? (
                <ArtifactImage
                  path={downloadPath(where, artifact.name)}
                  name={artifact.name}
                  type={node.image}
                />
              ) : (
                <div className="task-bytes">
                  {formatSize(node.size)} of binary data ({node.type}); first bytes{' '}
                  <code>{node.head.replace(/(..)/g, '$1 ').trim()}</code>
                </div>
              )
            ) : (
              <ValueTree node={node} />
            )}
          </div>
        );
      }}
    </QueryState>
  );
}

export function ArtifactPanel({
  where,
  selected,
  onSelect,
}: {
  where: Where;
  selected: string | undefined;
  onSelect(name: string): void;
}) {
  const { runId, taskId, attempt } = where;
  const list = useQuery({
    queryKey: ['task', runId, taskId, 'artifacts', attempt],
    queryFn: async () =>
      unwrap(
        await api.GET('/api/v1/runs/{runId}/tasks/{taskId}/artifacts', {
          params: { path: { runId, taskId }, query: { attempt } },
        }),
      ).artifacts,
  });
  const artifacts = list.data ?? [];
  const typed = useQueries({
    queries: artifacts.slice(0, TYPED_IN_LIST).map((a) => previewQuery(where, a.name)),
  });
  const current = artifacts.find((a) => a.name === selected) ?? artifacts[0];
  return (
    <QueryState isPending={list.isPending} error={list.error}>
      {() =>
        artifacts.length === 0 ? (
          <div className="empty">This attempt stored no artifacts.</div>
        ) : (
          <div className="task-artifacts">
            <table className="grid task-artifact-list">
              <thead>
                <tr>
                  <th>Artifact</th>
                  <th>Type</th>
                  <th className="num">Size</th>
                </tr>
              </thead>
              <tbody>
                {artifacts.map((a, i) => {
                  const node = typed[i]?.data?.preview as PreviewNode | undefined;
                  return (
                    <tr key={a.name} className={a === current ? 'selected' : ''}>
                      <td className="name">
                        <button
                          type="button"
                          className="task-link"
                          aria-current={a === current}
                          onClick={() => onSelect(a.name)}
                        >
                          {a.name}
                        </button>
                      </td>
                      <td>{node ? describeNode(node) : a.codec.startsWith('raw') ? 'bytes' : 'value'}</td>
                      <td className="num">{formatSize(a.size)}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
            {current && <Preview key={`${attempt}/${current.name}`} where={where} artifact={current} />}
          </div>
        )
      }
    </QueryState>
  );
}
