/**
 * A resource id as a link to the page of the Flowtrail object it names (run, step, task, its
 * artifact, flow; deployments and automations at their own paths), or as plain text.
 */
import { Link } from '@tanstack/react-router';
import type { ReactNode } from 'react';
import { type FlowtrailObject, flowtrailObject } from './flowtrail-object.ts';

export function ObjectLink({ object, children }: { object: FlowtrailObject; children: ReactNode }) {
  switch (object.kind) {
    case 'flow':
      return (
        <Link to="/flows/$flow" params={{ flow: object.flow }}>
          {children}
        </Link>
      );
    case 'run':
      return (
        <Link to="/runs/$flow/$run" params={{ flow: object.flow, run: object.run }}>
          {children}
        </Link>
      );
    case 'step':
      return (
        <Link to="/runs/$flow/$run/$step" params={{ flow: object.flow, run: object.run, step: object.step }}>
          {children}
        </Link>
      );
    case 'task':
    case 'artifact':
      return (
        <Link
          to="/runs/$flow/$run/$step/$task"
          params={{ flow: object.flow, run: object.run, step: object.step, task: object.task }}
          search={object.kind === 'artifact' ? { artifact: object.name } : {}}
        >
          {children}
        </Link>
      );
    case 'deployment':
      return (
        <Link to="/deployments/$flow" params={{ flow: object.flow }}>
          {children}
        </Link>
      );
    case 'automation':
      return (
        <Link to="/automations/$id" params={{ id: object.id }}>
          {children}
        </Link>
      );
  }
}

/** The id, linked when it names a Flowtrail object. */
export function ResourceLink({ id }: { id: string }) {
  const object = flowtrailObject(id);
  return object ? <ObjectLink object={object}>{id}</ObjectLink> : <span>{id}</span>;
}
