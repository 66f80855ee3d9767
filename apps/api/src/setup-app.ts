import { type INestApplication, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import helmet from 'helmet';
import type { Logger } from 'pino';
import {
  type AppConfig,
  correlationAndLogging,
  DomainError,
  InputSafetyPipe,
  PinoNestLogger,
  ProblemFilter,
  toFieldErrors,
} from '@ilr/registry';
import { AppModule } from './app.module.js';

export interface CreateAppOptions {
  config: AppConfig;
  databaseUrl: string;
  logger: Logger;
}

// Builds the HTTP application: the same wiring for `npm start` and for the e2e tests.
export async function createApp({ config, databaseUrl, logger }: CreateAppOptions): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.register({ config, databaseUrl, logger }), {
    logger: new PinoNestLogger(logger),
    bodyParser: false,
  });
  // Off unless TRUST_PROXY says which proxies may name the client (X-Forwarded-For): the client address
  // keys the per-address rate limit and sign-in throttle, and must not be the client's own choice.
  app.set('trust proxy', config.trustProxy);
  // ETags are ours (`"<version>"` on clinical records), not Express's body hashes.
  app.set('etag', false);
  app.use(correlationAndLogging(logger));
  app.use(
    helmet({
      // Swagger UI needs its inline bootstrap script and styles; everything else is JSON.
      contentSecurityPolicy: {
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'", "'unsafe-inline'"],
          styleSrc: ["'self'", "'unsafe-inline'"],
          imgSrc: ["'self'", 'data:'],
          upgradeInsecureRequests: null,
        },
      },
    }),
  );
  app.useBodyParser('json', { limit: config.bodyLimit, type: ['application/json', 'application/*+json'] });
  app.useGlobalFilters(new ProblemFilter(logger));
  app.useGlobalPipes(
    new InputSafetyPipe(),
    new ValidationPipe({
      transform: true,
      whitelist: true,
      forbidNonWhitelisted: true,
      forbidUnknownValues: true,
      validationError: { target: false, value: false },
      exceptionFactory: (errors) => DomainError.validation(toFieldErrors(errors)),
    }),
  );

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('ILR Registry API')
      .setDescription(
        'Outcomes registry for arthroscopic iliopsoas release. Errors are application/problem+json (RFC 9457).',
      )
      .setVersion('1')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs-json' });
  return app;
}
