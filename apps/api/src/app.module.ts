import { type DynamicModule, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { ApiTokenRepository, createDataSource, UserRepository } from '@ilr/persistence';
import {
  APP_CONFIG,
  type AppConfig,
  AuthController,
  AuthGuard,
  AuthService,
  HealthController,
  LOGGER,
  LoginThrottle,
  UsersController,
  UsersService,
} from '@ilr/registry';

const controllers = [HealthController, AuthController, UsersController];
const services = [AuthService, UsersService, LoginThrottle];
const repositories = [UserRepository, ApiTokenRepository];

export interface AppModuleOptions {
  config: AppConfig;
  databaseUrl: string;
  logger: Logger;
}

// The one module of the API: every controller, service and repository is listed here.
@Module({})
export class AppModule implements OnApplicationShutdown {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  static register(options: AppModuleOptions): DynamicModule {
    return {
      module: AppModule,
      controllers,
      providers: [
        { provide: APP_CONFIG, useValue: options.config },
        { provide: LOGGER, useValue: options.logger },
        {
          provide: DataSource,
          useFactory: async () => createDataSource({ url: options.databaseUrl, poolSize: 20 }).initialize(),
        },
        { provide: APP_GUARD, useClass: AuthGuard },
        ...services,
        ...repositories,
      ],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}
