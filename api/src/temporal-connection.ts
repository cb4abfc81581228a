import { Connection } from '@temporalio/client';
import { type TemporalSettings, temporalConnectError, temporalConnectionOptions } from '@kiln/engine/temporal';

/**
 * A Temporal connection that leaves Node's async hooks off.
 *
 * The client adds the `temporal-namespace` header to each call by running it inside its
 * call-context `AsyncLocalStorage`. On Node 20, a storage that has run once turns on promise hooks
 * for the whole process, and the API then pays for them on every request it serves (about 3% of the
 * main thread at 64 concurrent predictions). Here the header is static metadata instead (the API uses
 * one namespace), the per-call wrapping is skipped, and the storage is switched off again after
 * connecting. The API never sets a call context of its own (deadline, metadata, abort signal); if it
 * did, that call would switch the storage back on for itself.
 */
class NamespaceConnection extends Connection {}
// The client's wrapper is private in its types; skipping it is the point (the header is static).
Object.defineProperty(NamespaceConnection.prototype, 'withNamespaceHeaderInjector', {
  value: <T>(workflowService: T): T => workflowService,
});

export async function connectTemporal(settings: TemporalSettings): Promise<Connection> {
  const options = await temporalConnectionOptions(settings);
  let connection: Connection;
  try {
    connection = await NamespaceConnection.connect({ ...options, metadata: { 'temporal-namespace': settings.namespace } });
  } catch (err) {
    throw temporalConnectError(err, settings);
  }
  connection.callContextStorage.disable();
  return connection;
}
