import { type DynamicModule, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { ClsModule } from 'nestjs-cls';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import {
  AccessRepository,
  ApiTokenRepository,
  AuditRepository,
  CaseFactsRepository,
  CaseRepository,
  ComplicationRepository,
  createDataSource,
  ExportRepository,
  FollowUpRepository,
  IdempotencyRepository,
  OutcomeReportRepository,
  PatientRepository,
  ReportRepository,
  ThrottleRepository,
  UserRepository,
  ImportRepository,
  InvitationRepository,
} from '@ilr/persistence';
import {
  APP_CONFIG,
  type AppConfig,
  CLOCK,
  type Clock,
  SYSTEM_CLOCK,
  AuditController,
  AuditService,
  AuthController,
  AuthGuard,
  AuthService,
  CasesController,
  CasesService,
  ComplicationsController,
  ComplicationsService,
  DataQualityService,
  ExportsController,
  ExportsService,
  FhirController,
  ImportsController,
  ImportsService,
  ImportRunner,
  CaseRows,
  VisitRows,
  ComplicationRows,
  CaseReferences,
  ExportWorker,
  OutcomesService,
  ReferenceController,
  ReportsController,
  FollowUpsController,
  FollowUpsService,
  HealthController,
  ClinicalWrites,
  IdempotencyPruner,
  RegistryClock,
  LOGGER,
  MrnCipher,
  PatientsController,
  ThrottleService,
  THROTTLE_STORE_PROVIDER,
  SharedThrottlerStorage,
  ClientRateLimitGuard,
  CredentialRateLimitGuard,
  PatientsService,
  UsersController,
  UsersService,
  MailService,
  InvitationsService,
  InvitationsController,
  QuestionnaireController,
  QuestionnaireScheduler,
  QuestionnaireService,
} from '@ilr/registry';

const controllers = [
  HealthController,
  AuthController,
  UsersController,
  PatientsController,
  CasesController,
  FollowUpsController,
  ComplicationsController,
  ReportsController,
  ReferenceController,
  ExportsController,
  FhirController,
  ImportsController,
  AuditController,
  InvitationsController,
  QuestionnaireController,
];
const services = [
  AuthService,
  UsersService,
  ThrottleService,
  THROTTLE_STORE_PROVIDER,
  SharedThrottlerStorage,
  MrnCipher,
  AuditService,
  ClinicalWrites,
  IdempotencyPruner,
  RegistryClock,
  PatientsService,
  CasesService,
  FollowUpsService,
  ComplicationsService,
  DataQualityService,
  OutcomesService,
  ExportsService,
  ExportWorker,
  ImportsService,
  ImportRunner,
  CaseReferences,
  CaseRows,
  VisitRows,
  ComplicationRows,
  MailService,
  InvitationsService,
  QuestionnaireService,
  QuestionnaireScheduler,
];
const repositories = [
  UserRepository,
  ApiTokenRepository,
  PatientRepository,
  CaseRepository,
  AuditRepository,
  IdempotencyRepository,
  AccessRepository,
  FollowUpRepository,
  ComplicationRepository,
  ReportRepository,
  OutcomeReportRepository,
  ExportRepository,
  CaseFactsRepository,
  ThrottleRepository,
  ImportRepository,
  InvitationRepository,
];

export interface AppModuleOptions {
  config: AppConfig;
  databaseUrl: string;
  logger: Logger;
  // The time the service reads (tests pass a ManualClock); the system clock when unset.
  clock?: Clock;
}

// The one module of the API: every controller, service and repository is listed here.
@Module({})
export class AppModule implements OnApplicationShutdown {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  static register(options: AppModuleOptions): DynamicModule {
    return {
      module: AppModule,
      // nestjs-cls holds the request context (its middleware is mounted in setup-app.ts, before the body
      // parser); GET /health/ready runs its checks through terminus, whose own log lines are off.
      imports: [ClsModule.forRoot({ global: true }), TerminusModule.forRoot({ logger: false })],
      controllers,
      providers: [
        { provide: APP_CONFIG, useValue: options.config },
        { provide: LOGGER, useValue: options.logger },
        { provide: CLOCK, useValue: options.clock ?? SYSTEM_CLOCK },
        {
          provide: DataSource,
          useFactory: async () => createDataSource({ url: options.databaseUrl, poolSize: 20 }).initialize(),
        },
        // In this order: per-address limits and sign-in attempts before authentication, per-caller limits after.
        { provide: APP_GUARD, useClass: ClientRateLimitGuard },
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_GUARD, useClass: CredentialRateLimitGuard },
        ...services,
        ...repositories,
      ],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}
