/** Every Flowtrail object an event names (its resource and related resources), as links to their pages. */
import type { FlowtrailEventRecord } from '../../api/client.ts';
import { type FlowtrailObject, flowtrailObject, objectLabel } from './flowtrail-object.ts';
import { ObjectLink } from './resource-link.tsx';

const ID = 'flowtrail.resource.id';
const ROLE = 'flowtrail.resource.role';

export function EventObjects({ event }: { event: FlowtrailEventRecord }) {
  const named: { object: FlowtrailObject; role: string; id: string }[] = [];
  const seen = new Set<string>();
  for (const [labels, role] of [
    [event.resource, 'resource'] as const,
    ...event.related.map((r) => [r, r[ROLE] ?? ''] as const),
  ]) {
    const id = labels[ID] ?? '';
    const object = flowtrailObject(id);
    if (!object || seen.has(id)) continue;
    seen.add(id);
    named.push({ object, role, id });
  }
  if (named.length === 0) return <div className="muted">It names no Flowtrail object.</div>;
  return (
    <ul className="event-objects">
      {named.map(({ object, role, id }) => (
        <li key={id}>
          <span className="event-object-kind">{object.kind}</span>{' '}
          <ObjectLink object={object}>{objectLabel(object)}</ObjectLink>{' '}
          <span className="muted">({role})</span>
        </li>
      ))}
    </ul>
  );
}
