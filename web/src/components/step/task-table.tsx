/**
 * A step's tasks as a virtualized table: only the rows in view exist in the DOM, and only their
 * pages (200 tasks each, by offset, filtered by status in the store) are fetched — scrolling
 * straight to row 10,000 reads one page, not fifty.
 */
import { keepPreviousData, useQueries } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { type ColumnDef, flexRender, getCoreRowModel, useReactTable } from '@tanstack/react-table';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useMemo, useRef } from 'react';
import { unwrap } from '../../api/api-error.ts';
import { api, type TaskRecord } from '../../api/client.ts';
import { elapsed, formatDuration, formatTime } from '../../format/time.ts';
import { runKey, type TaskStatus } from '../run/run-data.ts';
import { StatusBadge } from '../status-badge.tsx';

const PAGE = 200;
const ROW = 30;

type Row = TaskRecord | null;

export function TaskTable({
  flow,
  run,
  runId,
  step,
  status,
  total,
}: {
  flow: string;
  run: number;
  runId: number;
  step: string;
  status: TaskStatus | undefined;
  /** How many tasks match (from the step summary). */
  total: number;
}) {
  const scroller = useRef<HTMLDivElement>(null);
  const virtual = useVirtualizer({
    count: total,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW,
    overscan: 12,
  });
  const items = virtual.getVirtualItems();
  const pages = useMemo(() => {
    const wanted = new Set<number>();
    for (const item of items) wanted.add(Math.floor(item.index / PAGE));
    return [...wanted].sort((a, b) => a - b);
  }, [items]);

  const results = useQueries({
    queries: pages.map((page) => ({
      queryKey: [...runKey(flow, run), 'step-tasks', step, status ?? 'all', page],
      placeholderData: keepPreviousData,
      queryFn: async () =>
        unwrap(
          await api.GET('/api/v1/runs/{runId}/tasks', {
            params: {
              path: { runId },
              query: { step, limit: PAGE, offset: page * PAGE, ...(status ? { status } : {}) },
            },
          }),
        ).tasks,
    })),
  });
  const loaded = new Map<number, TaskRecord[]>();
  pages.forEach((page, i) => {
    const data = results[i]?.data;
    if (data) loaded.set(page, data);
  });
  const loadedKey = pages.map((p, i) => `${p}:${results[i]?.dataUpdatedAt ?? 0}`).join(',');

  const loadedRef = useRef(loaded);
  loadedRef.current = loaded;
  // biome-ignore lint/correctness/useExhaustiveDependencies: `loadedKey` names what `loadedRef` holds
  const data = useMemo((): Row[] => {
    const out = new Array<Row>(total).fill(null);
    for (const [page, tasks] of loadedRef.current)
      for (let i = 0; i < tasks.length; i++) out[page * PAGE + i] = tasks[i]!;
    return out;
  }, [total, loadedKey]);

  const columns = useMemo(
    (): ColumnDef<Row>[] => [
      {
        id: 'index',
        header: 'Index',
        cell: ({ row }) =>
          row.original
            ? row.original.foreachPath.length > 0
              ? row.original.foreachPath.join('.')
              : '—'
            : '…',
      },
      {
        id: 'task',
        header: 'Task',
        cell: ({ row }) =>
          row.original ? (
            <Link
              to="/runs/$flow/$run/$step/$task"
              params={{ flow, run: String(run), step, task: String(row.original.taskId) }}
            >
              #{row.original.taskId}
            </Link>
          ) : null,
      },
      {
        id: 'status',
        header: 'Status',
        cell: ({ row }) => (row.original ? <StatusBadge status={row.original.status} /> : null),
      },
      {
        id: 'started',
        header: 'Started',
        cell: ({ row }) => (row.original ? formatTime(row.original.startedAt) : null),
      },
      {
        id: 'duration',
        header: 'Duration',
        cell: ({ row }) =>
          row.original ? formatDuration(elapsed(row.original.startedAt, row.original.finishedAt)) : null,
      },
      {
        id: 'attempts',
        header: 'Attempts',
        cell: ({ row }) => (row.original ? row.original.attempts : null),
      },
    ],
    [flow, run, step],
  );
  const table = useReactTable({ data, columns, getCoreRowModel: getCoreRowModel() });
  const rows = table.getRowModel().rows;

  return (
    <div ref={scroller} className="task-table-body" data-testid="task-scroll">
      <table className="task-table" aria-label={`tasks of ${step}`} aria-rowcount={total}>
        <thead className="task-table-head">
          {table.getHeaderGroups().map((group) => (
            <tr key={group.id} className="task-row">
              {group.headers.map((h) => (
                <th key={h.id} className={`task-cell task-cell-${h.id}`}>
                  {flexRender(h.column.columnDef.header, h.getContext())}
                </th>
              ))}
            </tr>
          ))}
        </thead>
        <tbody style={{ height: virtual.getTotalSize() }}>
          {items.map((item) => {
            const row = rows[item.index];
            if (!row) return null;
            return (
              <tr
                key={item.key}
                className="task-row"
                aria-rowindex={item.index + 1}
                data-index={item.index}
                data-task-status={row.original?.status}
                style={{ transform: `translateY(${item.start}px)`, height: ROW }}
              >
                {row.getVisibleCells().map((cell) => (
                  <td key={cell.id} className={`task-cell task-cell-${cell.column.id}`}>
                    {flexRender(cell.column.columnDef.cell, cell.getContext())}
                  </td>
                ))}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
