/** Positions of the step graph's nodes, computed by elkjs (layered, left to right) in a Web Worker. */
import ELK from 'elkjs/lib/elk-api.js';

export interface LayoutInput {
  nodes: readonly { id: string; width: number; height: number }[];
  edges: readonly { id: string; source: string; target: string }[];
}

export type Positions = Map<string, { x: number; y: number }>;

let elk: InstanceType<typeof ELK> | undefined;

function layouter(): InstanceType<typeof ELK> {
  elk ??= new ELK({
    workerFactory: () => new Worker(new URL('./graph-layout.worker.ts', import.meta.url), { type: 'module' }),
  });
  return elk;
}

// Started when this module loads (with the graph code), so the worker's start-up overlaps the
// page's first requests.
layouter();

export async function layoutGraph(input: LayoutInput): Promise<Positions> {
  const result = await layouter().layout({
    id: 'root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'RIGHT',
      'elk.layered.spacing.nodeNodeBetweenLayers': '48',
      'elk.spacing.nodeNode': '28',
      'elk.layered.nodePlacement.strategy': 'BRANDES_KOEPF',
    },
    children: input.nodes.map((n) => ({ id: n.id, width: n.width, height: n.height })),
    edges: input.edges.map((e) => ({ id: e.id, sources: [e.source], targets: [e.target] })),
  });
  const out: Positions = new Map();
  for (const c of result.children ?? []) out.set(c.id, { x: c.x ?? 0, y: c.y ?? 0 });
  return out;
}
