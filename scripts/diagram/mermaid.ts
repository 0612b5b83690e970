/**
 * Renders a data-flow graph as a Mermaid flowchart (left to right), the way GitHub renders it
 * in a README: one subgraph per construct that made two or more nodes, a shape and a colour
 * per layer, every id an identifier and every label quoted.
 */
import { FlowGraph, FlowNode } from './graph';
import { Layer, LAYERS } from './kinds';

/** The shape of each layer: [open, close] around the quoted label. */
const SHAPES: Record<Layer, [string, string]> = {
  source: ['([', '])'],
  stream: ['[[', ']]'],
  delivery: ['[', ']'],
  store: ['[(', ')]'],
  catalog: ['[/', '/]'],
  query: ['{{', '}}'],
  consumer: ['>', ']'],
};

/** Fill and stroke of each layer (readable in GitHub's light and dark themes). */
const COLOURS: Record<Layer, string> = {
  source: 'fill:#fde2e4,stroke:#c9184a,color:#000',
  stream: 'fill:#fff1c1,stroke:#b08900,color:#000',
  delivery: 'fill:#dbeafe,stroke:#1d4ed8,color:#000',
  store: 'fill:#dcfce7,stroke:#15803d,color:#000',
  catalog: 'fill:#ede9fe,stroke:#6d28d9,color:#000',
  query: 'fill:#cffafe,stroke:#0e7490,color:#000',
  consumer: 'fill:#f3f4f6,stroke:#374151,color:#000',
};

const ID = /^[A-Za-z][A-Za-z0-9_]*$/;

/** A label as Mermaid's quoted text: no double quotes (`#quot;`), lines joined with `<br/>`. */
export function label(...lines: string[]): string {
  return `"${lines.map((l) => l.replace(/"/g, '#quot;').replace(/[\r\n]+/g, ' ')).join('<br/>')}"`;
}

/** A Mermaid identifier for a construct id (letters, digits, underscores; starts with a letter). */
export function mermaidId(prefix: string, raw: string): string {
  const id = `${prefix}${raw.replace(/[^A-Za-z0-9_]/g, '_')}`;
  if (!ID.test(id)) throw new Error(`not a Mermaid identifier: ${id}`);
  return id;
}

/** Names that say nothing about a construct: plain `Construct` and aws-cdk-lib's L1 classes. */
const GENERIC_TYPE = /^(Construct|Cfn[A-Z].*)?$/;

/** Whether a node's construct class adds something to its kind (`SecureBucket` does; `Role` for an IAM role does not). */
function showsType(n: FlowNode): boolean {
  return !GENERIC_TYPE.test(n.group.type) && !n.kind.replace(/\s+/g, '').toLowerCase().includes(n.group.type.toLowerCase());
}

function nodeLine(n: FlowNode, grouped: boolean, indent: string): string {
  const [open, close] = SHAPES[n.layer];
  const title = grouped ? n.name : showsType(n) ? `${n.path} (${n.group.type})` : n.path;
  return `${indent}${mermaidId('', n.id)}${open}${label(title, n.kind)}${close}`;
}

/** The Mermaid source (without the code fence) of `graph`. */
export function renderMermaid(graph: FlowGraph): string {
  const lines = ['flowchart LR'];
  const groups = new Map<string, FlowNode[]>();
  for (const n of graph.nodes) groups.set(n.group.id, [...(groups.get(n.group.id) ?? []), n]);
  for (const [groupId, nodes] of groups) {
    if (groupId === '' || nodes.length === 1) {
      nodes.forEach((n) => lines.push(nodeLine(n, false, '  ')));
      continue;
    }
    const type = nodes[0].group.type;
    lines.push(`  subgraph ${mermaidId('group_', groupId)} [${label(GENERIC_TYPE.test(type) ? groupId : `${groupId} (${type})`)}]`);
    nodes.forEach((n) => lines.push(nodeLine(n, true, '    ')));
    lines.push('  end');
  }
  for (const e of graph.edges) {
    const arrow = e.label === 'results' ? '-.->' : '-->';
    lines.push(`  ${mermaidId('', e.from)} ${arrow}${e.label ? `|${label(e.label)}|` : ''} ${mermaidId('', e.to)}`);
  }
  for (const layer of LAYERS) {
    const members = graph.nodes.filter((n) => n.layer === layer).map((n) => mermaidId('', n.id));
    if (members.length === 0) continue;
    lines.push(`  classDef ${layer} ${COLOURS[layer]}`);
    lines.push(`  class ${members.join(',')} ${layer}`);
  }
  return lines.join('\n');
}
