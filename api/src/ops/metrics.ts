import { Counter, Registry, collectDefaultMetrics } from 'prom-client';
import { type CounterSeries, type HistogramSeries, SeriesCounter, SeriesHistogram } from './series-metrics';

/** The API's Prometheus metrics, one registry per app. */
export class ApiMetrics {
  readonly registry = new Registry();
  readonly requests = new SeriesCounter(
    'kiln_http_requests_total',
    'HTTP requests by method, route and status.',
    ['method', 'route', 'status'],
    [this.registry],
  );
  readonly latency = new SeriesHistogram(
    'kiln_http_request_duration_seconds',
    'HTTP request latency by method and route.',
    ['method', 'route'],
    [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    [this.registry],
  );
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

  readonly predictLatency = new SeriesHistogram(
    'kiln_predict_duration_seconds',
    'Inference latency per predict request, by deployment, model version and role (primary, canary, shadow).',
    ['deployment', 'version', 'role'],
    [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    [this.registry],
  );
  readonly predictRows = new SeriesCounter(
    'kiln_predict_rows_total',
    'Rows predicted, by deployment, model version and role.',
    ['deployment', 'version', 'role'],
    [this.registry],
  );
  readonly predictErrors = new Counter({
    name: 'kiln_predict_errors_total',
    help: 'Failed predict requests, by deployment, model version and kind (bad_input, internal, shadow).',
    labelNames: ['deployment', 'version', 'kind'],
    registers: [this.registry],
  });

  /** Label children of the HTTP series, by method, status and route (a label lookup costs more than the update). */
  private readonly requestSeries = new Map<string, { count: CounterSeries; latency: HistogramSeries }>();

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
