import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { RequestMethod } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Client, type Connection } from '@temporalio/client';
import { catalog } from '@kiln/nodes/catalog';
import { defaultArtifactStore } from '@kiln/artifacts';
import { openDatabase } from '@kiln/db';
import { kilnHome } from '@kiln/engine/home';
import { AppModule } from './app-module';
import { finishOpenApi, registerMethodNotAllowed } from './common/openapi';
import { requestChecks } from './common/request-checks';
import { loadKeyRing } from './common/secret-keys';
import { DependencyErrorFilter } from './common/dependency-errors';
import { Authenticator } from './auth/authenticator';
import { TokenService } from './auth/token-service';
import { PREDICT_PATH, predictOpenApi, registerPredictRoute } from './deployments/predict-route';
import { ServingRuntime } from './deployments/serving-runtime';
import type { ApiConfig } from './config';
import { ApiMetrics } from './ops/metrics';
import { NodeLogController } from './runs/node-log-controller';
import { RunController } from './runs/run-controller';
import { serveStudio } from './studio/serve-studio';
import { connectTemporal } from './temporal-connection';

/** A running API. */
export interface RunningApi {
  readonly url: string;
  /** The admin token made at first start (printed once), if one was made. */
  readonly firstAdminToken?: string;
  close(): Promise<void>;
}

const BODY_LIMIT_BYTES = 5 * 1024 * 1024;

/** Request ids: unique per process start, then counted (a random UUID per request costs more than it tells). */
const REQUEST_ID_PREFIX = `${randomUUID().slice(0, 8)}-`;
let requestCount = 0;
const requestId = () => `${REQUEST_ID_PREFIX}${(++requestCount).toString(36)}`;

/** Opens the database (migrated) and Temporal, then serves the API until `close`. */
export async function startApi(config: ApiConfig): Promise<RunningApi> {
  const { ring: keys } = loadKeyRing(config.secretKey, kilnHome());
  const db = await openDatabase({ ...(config.databaseUrl ? { url: config.databaseUrl } : {}), ...(config.dataDir ? { dataDir: config.dataDir } : {}) });
  let connection: Connection | undefined;
  try {
    connection = await connectTemporal(config.temporal);
    const temporal = new Client({ connection, namespace: config.temporal.namespace });
    const metrics = new ApiMetrics();
    let closing = false;
    const adapter = new FastifyAdapter({
      bodyLimit: BODY_LIMIT_BYTES,
      // Run ids reach 117 characters (Fastify's default limit is 100); longer ones get 414.
      routerOptions: { maxParamLength: 512 },
      genReqId: (req: { headers: Record<string, string | string[] | undefined> }) => (req.headers['x-request-id'] as string | undefined)?.slice(0, 100) ?? requestId(),
      logger: config.logLevel === 'silent' ? false : { level: config.logLevel },
    });
    const app = await NestFactory.create<NestFastifyApplication>(AppModule.with({ config, db, temporal, catalog, metrics, store: defaultArtifactStore(), keys }), adapter, {
      rawBody: true,
      logger: config.logLevel === 'silent' ? false : ['error', 'warn'],
    });
    // A dead database or Temporal answers 503 + Retry-After on every Nest route (the predict route maps its own).
    app.useGlobalFilters(new DependencyErrorFilter(app.getHttpAdapter()));
    const fastify = app.getHttpAdapter().getInstance();
    // Callback hooks, not async ones: they run on every request, serving included.
    fastify.addHook('onSend', (req, reply, payload, done) => {
      reply.header('x-request-id', req.id);
      // While shutting down, a keep-alive connection closes after its response (rather than be
      // cut when the client sends its next request on it).
      if (closing) reply.header('connection', 'close');
      done(null, payload);
    });
    fastify.addHook('onResponse', (req, reply, done) => {
      metrics.observeRequest(req.method, req.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime / 1000);
      done();
    });
    // NUL, invalid UTF-8 and JSON nested too deep: 400 before any route runs (predict checks its own values).
    fastify.addHook('preValidation', requestChecks(new Set([PREDICT_PATH])));
    app.setGlobalPrefix('api/v1', {
      exclude: [
        { path: 'healthz', method: RequestMethod.GET },
        { path: 'readyz', method: RequestMethod.GET },
        { path: 'metrics', method: RequestMethod.GET },
      ],
    });
    const document = SwaggerModule.createDocument(
      app,
      new DocumentBuilder().setTitle('Kiln API').setVersion('1').setOpenAPIVersion('3.1.0').addBearerAuth().build(),
    );
    document.paths[PREDICT_PATH.replace(':name', '{name}')] = predictOpenApi as never;
    finishOpenApi(document);
    registerMethodNotAllowed(fastify, document);
    // Everything the docs page loads is served here: no validator badge from validator.swagger.io
    // (an external image that fails offline).
    SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/openapi.json', swaggerOptions: { validatorUrl: null } });
    registerPredictRoute(fastify, app.get(ServingRuntime), app.get(Authenticator));
    const firstAdminToken = await app.get(TokenService).bootstrapAdmin(config.adminToken);
    await serveStudio(fastify);
    await app.listen(config.port, config.host);
    const address = fastify.server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    const url = `http://${config.host}:${port}`;
    if (!config.publicUrl) config.publicUrl = url;
    return {
      url,
      ...(firstAdminToken ? { firstAdminToken } : {}),
      async close() {
        // Graceful: event streams end (clients reconnect to another replica), the server stops
        // accepting and finishes the requests under way, and only then do Nest's shutdown hooks
        // stop the inference pool, flush prediction logs and stop run sync.
        closing = true;
        app.get(RunController).endStreams();
        app.get(NodeLogController).endStreams();
        // One turn of the event loop first: requests whose bytes have arrived are read and become
        // in-flight (Node's close would reset their connections as idle).
        await new Promise((r) => setImmediate(r));
        await fastify.close();
        await app.close();
        await connection?.close();
        await db.destroy();
      },
    };
  } catch (err) {
    await connection?.close();
    await db.destroy();
    throw err;
  }
}
