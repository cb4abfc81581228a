import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The API's Prometheus metrics, one registry per app. */
export class ApiMetrics {
  readonly registry = new Registry();
  readonly requests = new Counter({
    name: 'kiln_http_requests_total',
    help: 'HTTP requests by method, route and status.',
    labelNames: ['method', 'route', 'status'],
    registers: [this.registry],
  });
  readonly latency = new Histogram({
    name: 'kiln_http_request_duration_seconds',
    help: 'HTTP request latency by method and route.',
    labelNames: ['method', 'route'],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  readonly runsStarted = new Counter({
    name: 'kiln_runs_started_total',
    help: 'Runs started through the API, by trigger.',
    labelNames: ['trigger'],
    registers: [this.registry],
  });
  readonly webhookDeliveries = new Counter({
    name: 'kiln_webhook_deliveries_total',
    help: 'Webhook deliveries by outcome (started, duplicate, unauthorized, invalid, limited).',
    labelNames: ['outcome'],
    registers: [this.registry],
  });

  readonly predictLatency = new Histogram({
    name: 'kiln_predict_duration_seconds',
    help: 'Inference latency per predict request, by deployment, model version and role (primary, canary, shadow).',
    labelNames: ['deployment', 'version', 'role'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [this.registry],
  });
  readonly predictRows = new Counter({
    name: 'kiln_predict_rows_total',
    help: 'Rows predicted, by deployment, model version and role.',
    labelNames: ['deployment', 'version', 'role'],
    registers: [this.registry],
  });
  readonly predictErrors = new Counter({
    name: 'kiln_predict_errors_total',
    help: 'Failed predict requests, by deployment, model version and kind (bad_input, internal, shadow).',
    labelNames: ['deployment', 'version', 'kind'],
    registers: [this.registry],
  });

  /** Label children of the HTTP series, by method, status and route (a label lookup costs more than the update). */
  private readonly requestSeries = new Map<
    string,
    { count: ReturnType<ApiMetrics['requests']['labels']>; latency: ReturnType<ApiMetrics['latency']['labels']> }
  >();

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'kiln_api_' });
  }

  /** Counts a served request and observes its latency; `route` is the matched pattern, so series stay few. */
  observeRequest(method: string, route: string, status: number, seconds: number): void {
    const key = `${method} ${status} ${route}`;
    let series = this.requestSeries.get(key);
    if (!series) {
      series = { count: this.requests.labels(method, route, String(status)), latency: this.latency.labels(method, route) };
      this.requestSeries.set(key, series);
    }
    series.count.inc();
    series.latency.observe(seconds);
  }
}

export const API_METRICS = Symbol('ApiMetrics');
