/** The node type the workflow runs itself: it waits for a person's decision (a signal). */
export const APPROVAL_NODE_TYPE = 'gate.approval';
export const APPROVAL_SIGNAL = 'approval';
export const DEFAULT_APPROVAL_TIMEOUT_SECONDS = 7 * 24 * 3600;

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
