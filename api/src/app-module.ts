import { type DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import type { Client } from '@temporalio/client';
import type { DataSource } from 'typeorm';
import type { Catalog } from '@kiln/engine';
import { AuditService } from './audit/audit-service';
import { type KeyRing, SECRET_KEYS } from './common/secret-keys';
import { AuthGuard } from './auth/auth-guard';
import { Authenticator } from './auth/authenticator';
import { TokenController } from './auth/token-controller';
import { TokenService } from './auth/token-service';
import { CatalogController } from './catalog/catalog-controller';
import { BUILTIN_CATALOG, NodeTypeRegistry } from './catalog/node-type-registry';
import { RegistrationController } from './catalog/registration-controller';
import { API_CONFIG, type ApiConfig } from './config';
import { ARTIFACT_STORE, DATA_SOURCE, NODE_CATALOG, TEMPORAL_CLIENT } from './database';
import { ArtifactController } from './artifacts/artifact-controller';
import { CacheController } from './cache/cache-controller';
import { DeploymentController } from './deployments/deployment-controller';
import { DeploymentService } from './deployments/deployment-service';
import { ServingRuntime } from './deployments/serving-runtime';
import { ModelController } from './models/model-controller';
import { ModelService } from './models/model-service';
import type { ArtifactStore } from '@kiln/artifacts';
import { HealthController } from './ops/health-controller';
import { API_METRICS, type ApiMetrics } from './ops/metrics';
import { PipelineController } from './pipelines/pipeline-controller';
import { PipelineService } from './pipelines/pipeline-service';
import { NodeLogController } from './runs/node-log-controller';
import { RunController } from './runs/run-controller';
import { RunService } from './runs/run-service';
import { RunSync } from './runs/run-sync';
import { ScheduleController } from './schedules/schedule-controller';
import { ScheduleService } from './schedules/schedule-service';
import { WebhookController } from './webhooks/webhook-controller';
import { WebhookService } from './webhooks/webhook-service';

export interface AppHandles {
  config: ApiConfig;
  db: DataSource;
  temporal: Client;
  /** Kiln's own node types; workers register more (`NodeTypeRegistry`). */
  catalog: Catalog;
  metrics: ApiMetrics;
  store: ArtifactStore;
  keys: KeyRing;
}

/** The whole API, built around handles opened outside Nest (database, Temporal, catalog). */
@Module({})
export class AppModule {
  static with(handles: AppHandles): DynamicModule {
    return {
      module: AppModule,
      controllers: [HealthController, CatalogController, RegistrationController, PipelineController, RunController, NodeLogController, ScheduleController, WebhookController, TokenController, ArtifactController, CacheController, ModelController, DeploymentController],
      providers: [
        { provide: API_CONFIG, useValue: handles.config },
        { provide: DATA_SOURCE, useValue: handles.db },
        { provide: TEMPORAL_CLIENT, useValue: handles.temporal },
        // The built-ins, which registered types extend (never shadow); everything else sees both.
        { provide: BUILTIN_CATALOG, useValue: handles.catalog },
        NodeTypeRegistry,
        { provide: NODE_CATALOG, useFactory: (registry: NodeTypeRegistry) => registry.catalog, inject: [NodeTypeRegistry] },
        { provide: API_METRICS, useValue: handles.metrics },
        { provide: ARTIFACT_STORE, useValue: handles.store },
        { provide: SECRET_KEYS, useValue: handles.keys },
        { provide: APP_GUARD, useClass: AuthGuard },
        AuditService,
        TokenService,
        Authenticator,
        PipelineService,
        RunService,
        RunSync,
        ScheduleService,
        WebhookService,
        ModelService,
        ServingRuntime,
        DeploymentService,
      ],
    };
  }
}
