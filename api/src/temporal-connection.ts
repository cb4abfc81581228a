import { connectivityState, InterceptingCall, type Interceptor } from '@grpc/grpc-js';
import { Connection, defaultGrpcRetryOptions, makeGrpcRetryInterceptor } from '@temporalio/client';
import { type TemporalSettings, temporalConnectError, temporalConnectionOptions } from '@kiln/engine/temporal';

/**
 * How long one Temporal call made by the API may take (retries of UNAVAILABLE included) when the
 * channel is not connected: the server is down or restarting, and the request answers 503 within 2 s.
 */
export const UNCONNECTED_CALL_MS = 1_500;
/** The same bound on a connected channel: a live but loaded server gets longer, a hung one no more. */
export const CONNECTED_CALL_MS = 10_000;
/**
 * Attempts of a call that fails while the channel is not connected (the client's backoff makes 4 of
 * them last about 1 s). The deadline alone does not do: a call that starts on a connected channel
 * gets the long deadline, and when the server has just died it would retry until then.
 */
const UNCONNECTED_ATTEMPTS = 4;

/**
 * A Temporal connection that leaves Node's async hooks off, and bounds every call.
 *
 * The client adds the `temporal-namespace` header to each call by running it inside its
 * call-context `AsyncLocalStorage`. On Node 20, a storage that has run once turns on promise hooks
 * for the whole process, and the API then pays for them on every request it serves (about 3% of the
 * main thread at 64 concurrent predictions). Here the header is static metadata instead (the API uses
 * one namespace), the per-call wrapping is skipped, and the storage is switched off again after
 * connecting. For the same reason deadlines are not set with `withDeadline` (a call context) but by
 * a gRPC interceptor, on every call that has none.
 */
class NamespaceConnection extends Connection {
  /** Whether the channel has a live connection to the server now (without trying to make one). */
  connected(): boolean {
    return this.client.getChannel().getConnectivityState(false) === connectivityState.READY;
  }
}
// The client's wrapper is private in its types; skipping it is the point (the header is static).
Object.defineProperty(NamespaceConnection.prototype, 'withNamespaceHeaderInjector', {
  value: <T>(workflowService: T): T => workflowService,
});

export async function connectTemporal(settings: TemporalSettings): Promise<Connection> {
  const options = await temporalConnectionOptions(settings);
  // Outermost, so the client's retries of UNAVAILABLE (up to ~19 s by default) stop at the deadline.
  const deadline: Interceptor = (callOptions, nextCall) =>
    new InterceptingCall(
      nextCall(
        callOptions.deadline !== undefined
          ? callOptions
          : { ...callOptions, deadline: Date.now() + (connection.connected() ? CONNECTED_CALL_MS : UNCONNECTED_CALL_MS) },
      ),
    );
  const retry = defaultGrpcRetryOptions();
  const retries = makeGrpcRetryInterceptor({
    delayFunction: retry.delayFunction,
    retryableDecider: (attempt, status) => retry.retryableDecider(attempt, status) && (attempt < UNCONNECTED_ATTEMPTS || connection.connected()),
  });
  // The interceptors run only for calls, so after `connection` is set.
  const connection = NamespaceConnection.lazy({
    ...options,
    metadata: { 'temporal-namespace': settings.namespace },
    interceptors: [deadline, retries],
    // A restarted server (same address) is found again within a second or two, not grpc-js's 2 min.
    channelArgs: { 'grpc.initial_reconnect_backoff_ms': 200, 'grpc.max_reconnect_backoff_ms': 1_000 },
  }) as NamespaceConnection;
  try {
    await connection.ensureConnected();
  } catch (err) {
    throw temporalConnectError(err, settings);
  }
  connection.callContextStorage.disable();
  return connection;
}
