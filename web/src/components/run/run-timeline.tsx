/**
 * The run's timeline (Gantt): one row per task, grouped by step (groups collapse), drawn on a
 * <canvas> — only the rows in view are painted, so 10,000 tasks cost what 25 do and there are no
 * 10,000 DOM nodes. Zoom (buttons, Ctrl+wheel) and pan (Shift+wheel) are kept across live updates;
 * "Fit" returns to following the whole run.
 */
import { useNavigate } from '@tanstack/react-router';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { TaskRecord } from '../../api/client.ts';
import { formatDuration } from '../../format/time.ts';
import type { StepOverview } from './run-data.ts';

const ROW = 18;
const AXIS = 22;
const LABEL_W = 190;
const MAX_HEIGHT = 420;

type Row = { kind: 'group'; step: string; count: number } | { kind: 'task'; task: TaskRecord };
interface View {
  start: number;
  end: number;
}

function cssVar(name: string, fallback: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
}

function taskLabel(t: TaskRecord): string {
  return t.foreachPath.length > 0 ? `[${t.foreachPath.join('.')}] #${t.taskId}` : `#${t.taskId}`;
}

/** Round tick spacing for a span, aiming at about `count` ticks. */
function tickStep(spanMs: number, count: number): number {
  const raw = spanMs / count;
  const pow = 10 ** Math.floor(Math.log10(Math.max(raw, 1)));
  for (const m of [1, 2, 5, 10]) if (raw <= m * pow) return m * pow;
  return 10 * pow;
}

export function RunTimeline({
  tasks,
  steps,
  flow,
  run,
  runStart,
  runEnd,
}: {
  tasks: readonly TaskRecord[];
  steps: readonly StepOverview[];
  flow: string;
  run: string;
  runStart: number;
  /** The run's end, or now while it runs. */
  runEnd: number;
}) {
  const navigate = useNavigate();
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(() => new Set());
  const [view, setView] = useState<View | null>(null);
  const scroller = useRef<HTMLDivElement>(null);
  const canvas = useRef<HTMLCanvasElement>(null);

  const groups = useMemo(() => {
    const byStep = new Map<string, TaskRecord[]>();
    for (const s of steps) byStep.set(s.step, []);
    for (const t of tasks) {
      let list = byStep.get(t.step);
      if (!list) {
        list = [];
        byStep.set(t.step, list);
      }
      list.push(t);
    }
    return [...byStep.entries()].filter(([, list]) => list.length > 0);
  }, [tasks, steps]);

  const rows = useMemo(() => {
    const out: Row[] = [];
    for (const [step, list] of groups) {
      out.push({ kind: 'group', step, count: list.length });
      if (!collapsed.has(step)) for (const task of list) out.push({ kind: 'task', task });
    }
    return out;
  }, [groups, collapsed]);

  const fit = useMemo((): View => {
    let start = runStart;
    for (const t of tasks) if (t.startedAt !== null && t.startedAt < start) start = t.startedAt;
    const end = Math.max(runEnd, start + 1);
    return { start, end: end + (end - start) * 0.02 };
  }, [tasks, runStart, runEnd]);
  const shown = view ?? fit;
  // What the painter reads (it is called from scroll and resize handlers, outside renders).
  const latest = useRef({ rows, shown, runEnd, runStart });
  latest.current = { rows, shown, runEnd, runStart };

  const draw = useCallback(() => {
    const el = scroller.current;
    const c = canvas.current;
    if (!el || !c) return;
    const { rows, shown, runEnd } = latest.current;
    const dpr = window.devicePixelRatio || 1;
    const width = el.clientWidth;
    const height = el.clientHeight;
    if (c.width !== Math.round(width * dpr) || c.height !== Math.round(height * dpr)) {
      c.width = Math.round(width * dpr);
      c.height = Math.round(height * dpr);
      c.style.width = `${width}px`;
      c.style.height = `${height}px`;
    }
    const g = c.getContext('2d');
    if (!g) return;
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    g.clearRect(0, 0, width, height);
    const colors: Record<string, string> = {
      pending: cssVar('--pending', '#98a2b3'),
      running: cssVar('--running', '#2f7de1'),
      completed: cssVar('--completed', '#1f9d55'),
      failed: cssVar('--failed', '#d64545'),
      cancelled: cssVar('--cancelled', '#475467'),
    };
    const ink = cssVar('--ink', '#1d2330');
    const muted = cssVar('--muted', '#667085');
    const line = cssVar('--line', '#e2e5ea');
    const plotW = Math.max(10, width - LABEL_W - 8);
    const span = shown.end - shown.start;
    const x = (t: number) => LABEL_W + ((t - shown.start) / span) * plotW;
    const top = el.scrollTop;
    const first = Math.max(0, Math.floor(top / ROW));
    const last = Math.min(rows.length, Math.ceil((top + height - AXIS) / ROW) + 1);
    g.font = '12px system-ui, sans-serif';
    g.textBaseline = 'middle';
    let bars = 0;
    for (let i = first; i < last; i++) {
      const row = rows[i]!;
      const y = AXIS + i * ROW - top;
      if (row.kind === 'group') {
        g.fillStyle = '#f0f2f5';
        g.fillRect(0, y, width, ROW);
        g.fillStyle = ink;
        g.font = '600 12px system-ui, sans-serif';
        const open = !latest.current.rows[i + 1] || latest.current.rows[i + 1]!.kind === 'task';
        g.fillText(
          `${open ? '▾' : '▸'} ${row.step} (${row.count.toLocaleString()})`,
          6,
          y + ROW / 2,
          LABEL_W - 10,
        );
        g.font = '12px system-ui, sans-serif';
        continue;
      }
      const t = row.task;
      g.fillStyle = muted;
      g.fillText(taskLabel(t), 18, y + ROW / 2, LABEL_W - 24);
      if (t.startedAt === null) continue;
      const end = t.finishedAt ?? runEnd;
      const x0 = Math.max(LABEL_W, x(t.startedAt));
      const x1 = Math.min(LABEL_W + plotW, x(end));
      if (x1 < LABEL_W || x0 > LABEL_W + plotW) continue;
      g.fillStyle = colors[t.status] ?? colors.pending!;
      g.fillRect(x0, y + 3, Math.max(1.5, x1 - x0), ROW - 6);
      bars++;
    }
    // The time axis, over the rows.
    g.fillStyle = '#fff';
    g.fillRect(0, 0, width, AXIS);
    g.strokeStyle = line;
    g.beginPath();
    g.moveTo(0, AXIS - 0.5);
    g.lineTo(width, AXIS - 0.5);
    g.stroke();
    const step = tickStep(span, Math.max(2, Math.floor(plotW / 110)));
    g.fillStyle = muted;
    const r0 = latest.current.runStart;
    for (let o = Math.ceil((shown.start - r0) / step) * step; r0 + o <= shown.end; o += step) {
      const tx = x(r0 + o);
      g.fillRect(tx, AXIS - 6, 1, 6);
      g.fillText(o === 0 ? '0' : `+${formatDuration(o)}`, tx + 3, AXIS / 2);
    }
    c.dataset.bars = String(bars);
  }, []);

  useEffect(() => {
    const frame = requestAnimationFrame(draw);
    return () => cancelAnimationFrame(frame);
  });

  useEffect(() => {
    const el = scroller.current;
    if (!el) return;
    let frame = 0;
    const redraw = () => {
      cancelAnimationFrame(frame);
      frame = requestAnimationFrame(draw);
    };
    const resize = new ResizeObserver(redraw);
    resize.observe(el);
    el.addEventListener('scroll', redraw, { passive: true });
    const wheel = (e: WheelEvent) => {
      const { shown } = latest.current;
      const plotW = Math.max(10, el.clientWidth - LABEL_W - 8);
      const span = shown.end - shown.start;
      if (e.ctrlKey || e.metaKey) {
        e.preventDefault();
        const at = shown.start + ((e.offsetX - LABEL_W) / plotW) * span;
        const factor = e.deltaY > 0 ? 1.25 : 0.8;
        setView({ start: at - (at - shown.start) * factor, end: at + (shown.end - at) * factor });
      } else if (e.shiftKey || Math.abs(e.deltaX) > Math.abs(e.deltaY)) {
        e.preventDefault();
        const shift = ((e.shiftKey ? e.deltaY : e.deltaX) / plotW) * span;
        setView({ start: shown.start + shift, end: shown.end + shift });
      }
    };
    el.addEventListener('wheel', wheel, { passive: false });
    return () => {
      cancelAnimationFrame(frame);
      resize.disconnect();
      el.removeEventListener('scroll', redraw);
      el.removeEventListener('wheel', wheel);
    };
  }, [draw]);

  const toggle = (step: string) =>
    setCollapsed((prev) => {
      const next = new Set(prev);
      if (next.has(step)) next.delete(step);
      else next.add(step);
      return next;
    });

  const zoom = (factor: number) => {
    const mid = (shown.start + shown.end) / 2;
    const half = ((shown.end - shown.start) / 2) * factor;
    setView({ start: mid - half, end: mid + half });
  };

  const onClick = (e: React.MouseEvent<HTMLDivElement>) => {
    const el = scroller.current;
    if (!el) return;
    const y = e.clientY - el.getBoundingClientRect().top + el.scrollTop - AXIS;
    const row = rows[Math.floor(y / ROW)];
    if (!row) return;
    if (row.kind === 'group') toggle(row.step);
    else
      void navigate({
        to: '/runs/$flow/$run/$step/$task',
        params: { flow, run, step: row.task.step, task: String(row.task.taskId) },
      });
  };

  const height = Math.min(MAX_HEIGHT, AXIS + rows.length * ROW + 2);
  return (
    <div className="timeline" data-testid="timeline" data-rows={rows.length} data-tasks={tasks.length}>
      <div className="toolbar timeline-tools">
        <span className="muted">Steps:</span>
        {groups.map(([step, list]) => (
          <button
            key={step}
            type="button"
            className="timeline-group"
            aria-expanded={!collapsed.has(step)}
            onClick={() => toggle(step)}
          >
            {collapsed.has(step) ? '▸' : '▾'} {step} ({list.length.toLocaleString()})
          </button>
        ))}
        <span className="timeline-zoom">
          <button type="button" onClick={() => zoom(0.5)} aria-label="zoom in">
            +
          </button>
          <button type="button" onClick={() => zoom(2)} aria-label="zoom out">
            −
          </button>
          <button type="button" onClick={() => setView(null)} disabled={view === null}>
            Fit
          </button>
          <span className="muted" data-testid="timeline-span">
            {formatDuration(shown.end - shown.start)} shown{view ? ' (zoomed)' : ''}
          </span>
        </span>
      </div>
      {tasks.length === 0 ? (
        <div className="empty">No task has started yet.</div>
      ) : (
        <div className="timeline-frame" style={{ height }}>
          <canvas ref={canvas} className="timeline-canvas" />
          {/* biome-ignore lint/a11y/useKeyWithClickEvents lint/a11y/noStaticElementInteractions: the rows are drawn; the step buttons above are the keyboard path */}
          <div ref={scroller} className="timeline-scroll" onClick={onClick}>
            <div style={{ height: AXIS + rows.length * ROW }} />
          </div>
        </div>
      )}
    </div>
  );
}
