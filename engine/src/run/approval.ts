/**
 * `gate.approval`, the node type the workflow runs itself: it waits, durably and holding no worker,
 * for a person's decision (a signal), or rejects at its timeout. What it does is here, in pure code
 * the workflow imports; its declaration (`nodes/src/gate/approval.decl.ts`) builds its
 * params schema from the same constants.
 */
export const APPROVAL_NODE_TYPE = 'gate.approval';
export const APPROVAL_SIGNAL = 'approval';
export const DEFAULT_APPROVAL_TIMEOUT_SECONDS = 7 * 24 * 3600;
/** The longest an approval may wait: a year. */
export const MAX_APPROVAL_TIMEOUT_SECONDS = 31_536_000;

/** A person's decision on a waiting `gate.approval` node. */
export interface ApprovalDecision {
  nodeId: string;
  decision: 'approve' | 'reject';
  by: string;
  comment?: string;
}

/** What a `gate.approval` node outputs. */
export interface ApprovalOutcome {
  decision: 'approved' | 'rejected';
  by: string;
  comment: string | null;
  at: string;
}

/**
 * The timeout of an approval from its params, resolved like any node's (a `$param` is a value by
 * now). The workflow cannot load the declaration's zod schema, so the same bounds are checked here;
 * a value that breaks them fails the node with this message.
 */
export function approvalTimeoutSeconds(params: Record<string, unknown>): number {
  const value = params.timeoutSeconds ?? DEFAULT_APPROVAL_TIMEOUT_SECONDS;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > MAX_APPROVAL_TIMEOUT_SECONDS) {
    throw new Error(`params.timeoutSeconds must be a number of seconds above 0 and at most ${MAX_APPROVAL_TIMEOUT_SECONDS}, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** The node's output once a decision came (or none did within `seconds`), and the skip a rejection asks for. */
export function approvalResult(
  decision: ApprovalDecision | undefined,
  seconds: number,
  at: string,
): { outcome: ApprovalOutcome; skipDownstream?: { reason: string } } {
  const outcome: ApprovalOutcome = decision
    ? { decision: decision.decision === 'approve' ? 'approved' : 'rejected', by: decision.by, comment: decision.comment ?? null, at }
    : { decision: 'rejected', by: 'timeout', comment: `no decision within ${seconds} s`, at };
  if (outcome.decision === 'approved') return { outcome };
  return { outcome, skipDownstream: { reason: `rejected by ${outcome.by}${outcome.comment ? `: ${outcome.comment}` : ''}` } };
}
