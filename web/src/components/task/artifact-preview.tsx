/**
 * An artifact value as the server previewed it (`/artifacts/{name}/preview`): scalars inline,
 * objects, arrays, Maps, Sets and errors as a collapsible tree, arrays of flat rows as a table,
 * bytes as their size (and as an image when they are PNG, JPEG or SVG). Every value is React text.
 */
import { useState } from 'react';
import type { Schemas } from '../../api/client.ts';
import { formatSize } from './format-size.ts';
import './value-tree.css';

export type PreviewNode = Schemas['PreviewNode'];

const TREE_OPEN_DEPTH = 2;

/** One line saying what a value is: `object (3 keys)`, `Map (2)`, `rows 30 × 4`, `PNG image`. */
export function describeNode(node: PreviewNode): string {
  switch (node.kind) {
    case 'object':
      return `object (${node.size} key${node.size === 1 ? '' : 's'})`;
    case 'array':
      return node.type === 'Array' ? `array (${node.length})` : `${node.type} (${node.length})`;
    case 'table':
      return `rows ${node.length} × ${node.columns.length}`;
    case 'map':
      return `Map (${node.size})`;
    case 'set':
      return `Set (${node.size})`;
    case 'error':
      return node.name;
    case 'bytes':
      return node.image
        ? `${node.image.replace('image/', '').replace('+xml', '').toUpperCase()} image`
        : node.type;
    case 'date':
      return 'Date';
    case 'regexp':
      return 'RegExp';
    case 'more':
      return node.summary;
    default:
      return node.kind;
  }
}

/** The text of a leaf value; null for containers. */
function scalarText(node: PreviewNode): string | null {
  switch (node.kind) {
    case 'null':
      return 'null';
    case 'undefined':
      return 'undefined';
    case 'boolean':
      return String(node.value);
    case 'number':
    case 'bigint':
    case 'regexp':
      return node.text;
    case 'string':
      // A multi-line string (a stack, a document) reads better as its lines than with `\n`s.
      return (
        (node.value.includes('\n') ? node.value : JSON.stringify(node.value)) +
        (node.truncated ? ` … (${node.length.toLocaleString()} characters)` : '')
      );
    case 'date':
      return node.iso ?? 'Invalid Date';
    case 'bytes':
      return `<${node.type}, ${formatSize(node.size)}>`;
    case 'circular':
      return '[circular reference]';
    case 'more':
      return `… ${node.summary}`;
    default:
      return null;
  }
}

interface Child {
  key: string;
  /** A Map's key is a value of its own. */
  keyNode?: PreviewNode;
  node: PreviewNode;
}

function childrenOf(node: PreviewNode): { children: Child[]; truncated: boolean; shownOf: number } | null {
  switch (node.kind) {
    case 'object':
      return {
        children: node.entries.map((e) => ({ key: e.key, node: e.value })),
        truncated: node.truncated,
        shownOf: node.size,
      };
    case 'array':
    case 'set':
      return {
        children: node.items.map((item, i) => ({ key: String(i), node: item })),
        truncated: node.truncated,
        shownOf: node.kind === 'array' ? node.length : node.size,
      };
    case 'map':
      return {
        children: node.entries.map((e, i) => ({ key: String(i), keyNode: e.key, node: e.value })),
        truncated: node.truncated,
        shownOf: node.size,
      };
    case 'error':
      return {
        children: [
          {
            key: 'message',
            node: { kind: 'string', value: node.message, length: node.message.length, truncated: false },
          },
          ...(node.stack
            ? [
                {
                  key: 'stack',
                  node: {
                    kind: 'string',
                    value: node.stack,
                    length: node.stack.length,
                    truncated: false,
                  } as PreviewNode,
                },
              ]
            : []),
          ...node.props.map((p) => ({ key: p.key, node: p.value })),
        ],
        truncated: false,
        shownOf: 0,
      };
    case 'table':
      return {
        children: node.rows.map((row, i) => ({
          key: String(i),
          node: {
            kind: 'object',
            size: node.columns.length,
            entries: node.columns.map((c, j) => ({ key: c, value: row[j]! })),
            truncated: false,
          },
        })),
        truncated: node.truncated,
        shownOf: node.length,
      };
    default:
      return null;
  }
}

function Leaf({ node }: { node: PreviewNode }) {
  return <span className={`tree-leaf tree-${node.kind}`}>{scalarText(node)}</span>;
}

function TreeRow({
  label,
  keyNode,
  node,
  depth,
}: {
  label: string;
  keyNode?: PreviewNode;
  node: PreviewNode;
  depth: number;
}) {
  const kids = childrenOf(node);
  const [open, setOpen] = useState(depth < TREE_OPEN_DEPTH);
  const name = keyNode ? (
    <span className="tree-key">
      <Leaf node={keyNode} /> →
    </span>
  ) : (
    <span className="tree-key">{label}:</span>
  );
  if (!kids)
    return (
      <li>
        {name} <Leaf node={node} />
      </li>
    );
  return (
    <li>
      <button type="button" className="tree-toggle" aria-expanded={open} onClick={() => setOpen((o) => !o)}>
        <span className="tree-caret" aria-hidden="true">
          {open ? '▾' : '▸'}
        </span>
        {name} <span className="tree-summary">{describeNode(node)}</span>
      </button>
      {open && <TreeChildren node={node} depth={depth + 1} />}
    </li>
  );
}

function TreeChildren({ node, depth }: { node: PreviewNode; depth: number }) {
  const kids = childrenOf(node);
  if (!kids) return null;
  return (
    <ul className="tree">
      {kids.children.map((c) => (
        <TreeRow
          key={c.key}
          label={c.key}
          {...(c.keyNode ? { keyNode: c.keyNode } : {})}
          node={c.node}
          depth={depth}
        />
      ))}
      {kids.truncated && (
        <li className="task-muted">
          … {kids.children.length} of {kids.shownOf.toLocaleString()} shown; download the artifact for all
        </li>
      )}
    </ul>
  );
}

/** The tree of a structured value; a leaf value alone as a line. */
export function ValueTree({ node }: { node: PreviewNode }) {
  if (!childrenOf(node))
    return (
      <div className="tree-root">
        {node.kind === 'string' ? <pre className="task-string">{node.value}</pre> : <Leaf node={node} />}
        {node.kind === 'string' && node.truncated && (
          <div className="task-muted">
            First {node.value.length.toLocaleString()} of {node.length.toLocaleString()} characters.
          </div>
        )}
      </div>
    );
  return (
    <div className="tree-root">
      <TreeChildren node={node} depth={0} />
    </div>
  );
}

/** An array of flat rows as a table (each cell a leaf value). */
export function RowTable({ node }: { node: Extract<PreviewNode, { kind: 'table' }> }) {
  return (
    <div className="task-table-wrap">
      <table className="grid task-rows">
        <thead>
          <tr>
            <th className="num">#</th>
            {node.columns.map((c) => (
              <th key={c}>{c}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {node.rows.map((row, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: rows are positions in the array
            <tr key={i}>
              <td className="num task-muted">{i}</td>
              {row.map((cell, j) => (
                <td key={node.columns[j]}>{cell.kind === 'string' ? cell.value : <Leaf node={cell} />}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      {node.truncated && (
        <div className="task-muted">
          {node.rows.length} of {node.length.toLocaleString()} rows shown; download the artifact for all.
        </div>
      )}
    </div>
  );
}
