import { userInfo } from 'node:os';
import type { ErrorBody } from '@kiln/api-types';
import { parseArgs } from 'node:util';
import { Client } from '@temporalio/client';
import { APPROVAL_SIGNAL, type ApprovalDecision } from '@kiln/engine';
import { TEMPORAL_FLAG_OPTIONS, TemporalSettingsError, connectTemporalClient, temporalSettings } from '@kiln/engine/temporal';
import type { Io } from '../io';
import { apiTarget } from '../api-target';
import { APPROVE_USAGE } from './usage';

/**
 * Decides a waiting approval gate: through the API (KILN_API_URL, KILN_TOKEN), or straight to
 * Temporal with --temporal-address (for runs started by `kiln run`).
 */
export async function approveCommand(args: string[], io: Io): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        reject: { type: 'boolean' },
        comment: { type: 'string' },
        ...TEMPORAL_FLAG_OPTIONS,
        api: { type: 'string' },
        token: { type: 'string' },
      },
    });
  } catch (err) {
    io.err(`${(err as Error).message}\nusage: ${APPROVE_USAGE}`);
    return 2;
  }
  const [runId, nodeId, ...extra] = parsed.positionals;
  if (!runId || !nodeId || extra.length > 0) {
    io.err(`usage: ${APPROVE_USAGE}`);
    return 2;
  }
  const decision = parsed.values.reject ? 'reject' : 'approve';
  const comment = parsed.values.comment;
  try {
    if (parsed.values['temporal-address']) {
      const temporal = temporalSettings(process.env, parsed.values);
      const connection = await connectTemporalClient(temporal);
      try {
        const client = new Client({ connection, namespace: temporal.namespace });
        const signal: ApprovalDecision = { nodeId, decision, by: userInfo().username, ...(comment ? { comment } : {}) };
        await client.workflow.getHandle(runId).signal(APPROVAL_SIGNAL, signal);
      } finally {
        await connection.close();
      }
    } else {
      const { base, token } = apiTarget(parsed.values);
      if (!token) {
        io.err(`a token is needed (--token or KILN_TOKEN), or --temporal-address\nusage: ${APPROVE_USAGE}`);
        return 2;
      }
      const res = await fetch(`${base}/api/v1/runs/${encodeURIComponent(runId)}/nodes/${encodeURIComponent(nodeId)}/${decision}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(comment ? { comment } : {}),
      });
      if (!res.ok) {
        const body = (await res.json().catch(() => ({}))) as Partial<ErrorBody>;
        throw new Error(`${res.status} ${String(body.message ?? res.statusText)}`);
      }
    }
    io.out(`${decision === 'approve' ? 'approved' : 'rejected'} node "${nodeId}" of run ${runId}`);
    return 0;
  } catch (err) {
    io.err(`kiln approve: ${(err as Error).message}`);
    return err instanceof TemporalSettingsError ? 2 : 1;
  }
}
