// Test helpers for node packages (`@kiln/sdk/testing`): run a node the way a worker does, with a real
// context over a temporary artifact store, without Temporal.
import type { z } from 'zod';
import { type PortMap, type PortValues, portValueProblem } from '@kiln/engine';
import type { NodeContext, NodeDefinition, NodeOutcome } from '@kiln/nodes/define-node';
import { testContext as nodeTestContext } from '@kiln/nodes/shared/test-context';

/** A node context for tests: a folder artifact store in a temp folder; progress and log lines recorded. */
export type TestContext = NodeContext & { progressLog: Record<string, unknown>[]; logLines: string[] };

/** A context to call a node's `run` with, or to make its input datasets in (`writeRows(ctx, rows)`). */
export function testContext(overrides: Partial<NodeContext> = {}): TestContext {
  return nodeTestContext(overrides);
}

/** What a node's run gave, with what it logged and reported as progress. */
export interface NodeRunResult<O extends PortMap> extends NodeOutcome<O> {
  logLines: string[];
  progressLog: Record<string, unknown>[];
  ctx: TestContext;
}

/**
 * Runs a node as the worker does: params parsed by its zod schema (defaults filled in), inputs and
 * outputs checked against their ports' schemas; each refusal throws the worker's message. Pass a
 * `ctx` to share its artifact store with the inputs you made.
 */
export async function runNode<I extends PortMap, O extends PortMap, S extends z.ZodType>(
  def: NodeDefinition<I, O, S>,
  options: { inputs?: Record<string, unknown>; params?: z.input<S>; ctx?: TestContext; nodeId?: string } = {},
): Promise<NodeRunResult<O>> {
  const ctx = options.ctx ?? testContext();
  const node = { nodeId: options.nodeId ?? ctx.nodeId, type: def.type };
  const parsed = def.params.safeParse(options.params ?? {});
  if (!parsed.success) {
    throw new Error(`node "${node.nodeId}" (${def.type}): invalid params: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'params'}: ${i.message}`).join('; ')}`);
  }
  const inputs = options.inputs ?? {};
  const badInput = portValueProblem(node, 'input', def.inputs, inputs);
  if (badInput) throw new Error(badInput);
  const outcome = await def.run(ctx, inputs as PortValues<I>, parsed.data as z.output<S>);
  const badOutput = portValueProblem(node, 'output', def.outputs, outcome.outputs as Record<string, unknown>);
  if (badOutput) throw new Error(badOutput);
  return { ...outcome, logLines: ctx.logLines, progressLog: ctx.progressLog, ctx };
}
