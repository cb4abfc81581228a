import { type PortMap, isOptionalPort, portTypeOf } from './port-types';
import { checkPortValue, formatValuePath } from './port-values';

/**
 * Checks a node's input or output values against its ports' schemas (`PORT_VALUE_SCHEMAS`) and says
 * what is wrong, naming the node, the port and the path inside the value; undefined when all fit.
 *
 * An input fed by a mapped node carries a list (one value per item), checked item by item. An
 * optional input that is not connected has no value. Every declared output must be produced. A
 * `Json` value is checked as it travels (through JSON: a Date becomes a string, an undefined field
 * is dropped), so only what cannot become JSON at all (a BigInt, a cycle) is refused.
 */
export function portValueProblem(
  node: { nodeId: string; type: string },
  direction: 'input' | 'output',
  ports: PortMap,
  values: Record<string, unknown>,
): string | undefined {
  const problems: string[] = [];
  for (const [port, decl] of Object.entries(ports)) {
    const value = values[port];
    const type = portTypeOf(decl);
    if (value === undefined || (value === null && type !== 'Json')) {
      if (direction === 'output' || !isOptionalPort(decl)) problems.push(`${direction} "${port}" (${type}) has no value`);
      continue;
    }
    const list = direction === 'input' && type !== 'Json' && Array.isArray(value);
    let checked = value;
    if (type === 'Json') {
      try {
        checked = JSON.parse(JSON.stringify(value) ?? 'null');
      } catch (error) {
        problems.push(`${direction} "${port}" is not JSON: ${(error as Error).message}`);
        continue;
      }
    }
    const issues = checkPortValue(type, checked, { list });
    if (issues.length === 0) continue;
    const shown = issues.slice(0, 5).map((issue) => {
      const at = formatValuePath(issue.path);
      return `${at ? `${at}: ` : ''}${issue.message}`;
    });
    if (issues.length > 5) shown.push(`${issues.length - 5} more`);
    problems.push(`${direction} "${port}" is not a valid ${type}${list ? ' list' : ''}: ${shown.join('; ')}`);
  }
  if (direction === 'output') {
    for (const port of Object.keys(values)) {
      if (!(port in ports)) problems.push(`output "${port}" is not a port of ${node.type}`);
    }
  }
  if (problems.length === 0) return undefined;
  return `node "${node.nodeId}" (${node.type}): ${problems.join('; ')}`;
}
