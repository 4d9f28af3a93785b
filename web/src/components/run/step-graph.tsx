/**
 * The run's step graph (loaded lazily: xyflow and the ELK API are not in the initial bundle). The
 * layout is computed in a worker and only again when the graph's shape changes; live status
 * changes only re-render the nodes' contents.
 */
import '@xyflow/react/dist/style.css';
import { useNavigate } from '@tanstack/react-router';
import { Background, type Edge, ReactFlow } from '@xyflow/react';
import { useEffect, useMemo, useState } from 'react';
import { layoutGraph, type Positions } from './graph-layout.ts';
import type { StepOverview } from './run-data.ts';
import { AGGREGATE_SIZE, NODE_SIZE, type StepFlowNode, StepNode } from './step-node.tsx';

const nodeTypes = { step: StepNode };

/** A step drawn as one aggregate node: inside a foreach, or any step with several tasks. */
const isAggregate = (s: StepOverview) => s.inForeach || s.total > 1;

export default function StepGraph({
  steps,
  flow,
  run,
  onDrawn,
}: {
  steps: readonly StepOverview[];
  flow: string;
  run: string;
  /** Called once the first layout is on screen (or failed). */
  onDrawn?: () => void;
}) {
  // The shape: which nodes, how big, which edges. Counts changing does not change it.
  const shape = useMemo(
    () =>
      JSON.stringify(
        steps.map((s) => [s.step, isAggregate(s), s.parents.filter((p) => steps.some((o) => o.step === p))]),
      ),
    [steps],
  );
  const navigate = useNavigate();
  const [layout, setLayout] = useState<{ shape: string; positions: Positions } | null>(null);
  const [failure, setFailure] = useState<string | null>(null);

  useEffect(() => {
    let cancelled = false;
    const parsed = JSON.parse(shape) as [string, boolean, string[]][];
    layoutGraph({
      nodes: parsed.map(([id, aggregate]) => ({ id, ...(aggregate ? AGGREGATE_SIZE : NODE_SIZE) })),
      edges: parsed.flatMap(([id, , parents]) =>
        parents.map((p) => ({ id: `${p}->${id}`, source: p, target: id })),
      ),
    }).then(
      (positions) => {
        if (!cancelled) setLayout({ shape, positions });
      },
      (e: unknown) => {
        if (!cancelled) setFailure(e instanceof Error ? e.message : String(e));
      },
    );
    return () => {
      cancelled = true;
    };
  }, [shape]);

  const drawn = layout !== null || failure !== null;
  useEffect(() => {
    if (drawn) onDrawn?.();
  }, [drawn, onDrawn]);

  const nodes = useMemo((): StepFlowNode[] => {
    if (!layout) return [];
    return steps.map((s) => ({
      id: s.step,
      type: 'step',
      position: layout.positions.get(s.step) ?? { x: 0, y: 0 },
      data: { summary: s, flow, run, aggregate: isAggregate(s) },
      draggable: false,
      connectable: false,
      ...(isAggregate(s) ? AGGREGATE_SIZE : NODE_SIZE),
    }));
  }, [steps, layout, flow, run]);

  const edges = useMemo(
    (): Edge[] =>
      steps.flatMap((s) =>
        s.parents
          .filter((p) => steps.some((o) => o.step === p))
          .map((p) => ({
            id: `${p}->${s.step}`,
            source: p,
            target: s.step,
            animated: (s.counts.running ?? 0) > 0,
          })),
      ),
    [steps],
  );

  if (failure) return <div className="error-box">The graph could not be laid out: {failure}</div>;
  if (!layout) return <div className="loading graph-box">Laying out {steps.length} steps…</div>;
  return (
    <div
      className="graph-box"
      data-testid="step-graph"
      data-layout={layout.shape === shape ? 'done' : 'stale'}
    >
      <ReactFlow
        key={layout.shape}
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        fitView
        fitViewOptions={{ padding: 0.15, maxZoom: 1.2 }}
        minZoom={0.2}
        nodesDraggable={false}
        nodesConnectable={false}
        elementsSelectable={false}
        proOptions={{ hideAttribution: false }}
        // A handler makes the nodes take pointer events (xyflow leaves inert nodes to the pane).
        onNodeClick={(_, node) =>
          void navigate({ to: '/runs/$flow/$run/$step', params: { flow, run, step: node.id } })
        }
      >
        <Background gap={16} size={1} />
      </ReactFlow>
    </div>
  );
}
