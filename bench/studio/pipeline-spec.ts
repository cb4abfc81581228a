import type { EdgeSpec, NodeSpec, PipelineSpec } from '@kiln/engine';

const COLUMN = 320;
const ROW = 180;

/**
 * A valid pipeline of `count` real nodes laid out in layers (columns) of about √count nodes:
 * `core.command` layers alternate with `core.noop` join layers, and every node runs after the node
 * in its row and the next row of the layer before, so there are about two edges per node.
 */
export function layeredSpec(name: string, count: number): PipelineSpec {
  const height = Math.ceil(Math.sqrt(count));
  const id = (layer: number, row: number) => `n${layer}_${row}`;
  const nodes: NodeSpec[] = [];
  const edges: EdgeSpec[] = [];
  for (let i = 0; i < count; i++) {
    const layer = Math.floor(i / height);
    const row = i % height;
    const position = { x: layer * COLUMN, y: row * ROW };
    nodes.push(
      layer % 2 === 0
        ? { id: id(layer, row), type: 'core.command', params: { command: `echo ${i}` }, position }
        : { id: id(layer, row), type: 'core.noop', position },
    );
    if (layer === 0) continue;
    edges.push({ from: id(layer - 1, row), to: id(layer, row) });
    const next = (row + 1) % height;
    if (next !== row) edges.push({ from: id(layer - 1, next), to: id(layer, row) });
  }
  return { apiVersion: 'kiln/v1', name, nodes, edges };
}
