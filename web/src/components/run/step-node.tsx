/**
 * One node of the step graph: a step with its live state. A step with many tasks (a foreach body)
 * is one aggregate node: counts by status, a small duration histogram; it opens the task table.
 */
import { Link } from '@tanstack/react-router';
import { Handle, type Node, type NodeProps, Position } from '@xyflow/react';
import { formatDuration } from '../../format/time.ts';
import { type StepOverview, stepStatus, TASK_STATUSES } from './run-data.ts';

export type StepNodeData = { summary: StepOverview; flow: string; run: string; aggregate: boolean };
export type StepFlowNode = Node<StepNodeData, 'step'>;

export const NODE_SIZE = { width: 190, height: 58 } as const;
export const AGGREGATE_SIZE = { width: 230, height: 124 } as const;

function Histogram({ buckets, title }: { buckets: readonly number[]; title: string }) {
  // Heights on a log scale: one slow outlier among 10,000 fast tasks stays visible.
  const max = Math.log1p(Math.max(1, ...buckets));
  const w = 100 / buckets.length;
  return (
    <svg
      className="step-histogram"
      viewBox="0 0 100 24"
      preserveAspectRatio="none"
      role="img"
      aria-label={title}
    >
      <title>{title}</title>
      {buckets.map((n, i) => {
        if (n === 0) return null;
        const h = Math.max(2, (Math.log1p(n) / max) * 24);
        // biome-ignore lint/suspicious/noArrayIndexKey: a bucket is its position
        return <rect key={i} x={i * w + 0.5} y={24 - h} width={w - 1} height={h} />;
      })}
    </svg>
  );
}

export function StepNode({ data }: NodeProps<StepFlowNode>) {
  const { summary: s, aggregate } = data;
  const status = stepStatus(s);
  const counts = TASK_STATUSES.filter((k) => (s.counts[k] ?? 0) > 0);
  return (
    <div
      className={`step-node step-node-${status}${aggregate ? ' step-node-aggregate' : ''}`}
      data-step={s.step}
      data-status={status}
      data-total={s.total}
      data-completed={s.counts.completed ?? 0}
      data-failed={s.counts.failed ?? 0}
      data-caught={s.caught}
    >
      <Handle type="target" position={Position.Left} isConnectable={false} />
      <Link
        to="/runs/$flow/$run/$step"
        params={{ flow: data.flow, run: data.run, step: s.step }}
        className="step-node-name nodrag"
        aria-label={`step ${s.step}: ${status}${aggregate ? `, ${s.total} tasks` : ''}`}
      >
        {s.step}
      </Link>
      <div className="step-node-line">
        <span className={`status status-${status === 'empty' ? 'pending' : status}`}>{status}</span>
        {aggregate ? (
          <span className="step-node-total">{s.total.toLocaleString()} tasks</span>
        ) : s.caught > 0 ? (
          <span className="count-caught">failure caught</span>
        ) : (
          <span className="muted">
            {formatDuration(
              s.maxDurationMs ?? (s.firstStartedAt !== null ? Date.now() - s.firstStartedAt : null),
            )}
          </span>
        )}
      </div>
      {aggregate ? (
        <>
          <ul className="step-counts" aria-label={`${s.step} tasks by status`}>
            {counts.map((k) => (
              <li key={k} className={`count-${k}`} data-count={k}>
                {(s.counts[k] ?? 0).toLocaleString()} {k}
              </li>
            ))}
            {s.caught > 0 ? (
              <li className="count-caught" title="failed, and the failure was caught (@catchError)">
                {s.caught.toLocaleString()} caught
              </li>
            ) : null}
          </ul>
          <Histogram
            buckets={s.histogram}
            title={`durations ${formatDuration(s.minDurationMs)} – ${formatDuration(s.maxDurationMs)}`}
          />
          <div className="step-node-range muted">
            {formatDuration(s.minDurationMs)} – {formatDuration(s.maxDurationMs)}
          </div>
        </>
      ) : null}
      <Handle type="source" position={Position.Right} isConnectable={false} />
    </div>
  );
}
