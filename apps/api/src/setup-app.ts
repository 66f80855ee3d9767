import { type INestApplication, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { SwaggerModule } from '@nestjs/swagger';
import type { NextFunction, Request, Response } from 'express';
import helmet from 'helmet';
import type { Logger } from 'pino';
import {
  type AppConfig,
  type Clock,
  correlationAndLogging,
  DomainError,
  InputSafetyPipe,
  jsonBodyGuard,
  PinoNestLogger,
  ProblemFilter,
  toFieldErrors,
  VALIDATOR_OPTIONS,
} from '@ilr/registry';
import { AppModule } from './app.module.js';
import { buildOpenApiDocument } from './openapi.js';
import { cspNonce, findWebDir, pagesHelmet, webPages } from './web-pages.js';

export interface CreateAppOptions {
  config: AppConfig;
  databaseUrl: string;
  logger: Logger;
  // Tests pass a ManualClock to move time forward; the system clock otherwise.
  clock?: Clock;
}

// Builds the HTTP application: the same wiring for `npm start` and for the e2e tests.
export async function createApp({ config, databaseUrl, logger, clock }: CreateAppOptions): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(
    AppModule.register({ config, databaseUrl, logger, clock }),
    {
      logger: new PinoNestLogger(logger),
      bodyParser: false,
    },
  );
  // Off unless TRUST_PROXY says which proxies may name the client (X-Forwarded-For): the client address
  // keys the per-address rate limit and sign-in throttle, and must not be the client's own choice.
  app.set('trust proxy', config.trustProxy);
  // ETags are ours (`"<version>"` on clinical records), not Express's body hashes.
  app.set('etag', false);
  app.use(correlationAndLogging(logger));
  app.use(cspNonce);
  // API answers carry patient data and are never cached; and never "304 not modified": a case's ETag is the case's
  // own version (what If-Match compares), while GET /cases/:id also carries its visits and complications.
  app.use('/api/v1', (req: Request, res: Response, next: NextFunction) => {
    delete req.headers['if-none-match'];
    delete req.headers['if-modified-since'];
    res.setHeader('Cache-Control', 'no-store');
    next();
  });
  const docsHelmet = helmet({
    // Swagger UI needs its inline bootstrap script and styles.
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'", "'unsafe-inline'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        upgradeInsecureRequests: null,
      },
    },
  });
  // Everything else (the API's JSON and the web pages) gets the strict policy (web-pages.ts).
  const strictHelmet = pagesHelmet();
  app.use((req: Request, res: Response, next: NextFunction) =>
    (/^\/api\/docs(-json)?(\/|$)/.test(req.path) ? docsHelmet : strictHelmet)(req, res, next),
  );
  // The built web front end at `/` (npm run build puts it in dist/web); without a build, the API alone.
  const webDir = findWebDir();
  if (webDir) app.use(webPages(webDir));
  else logger.warn('no web front end built (dist/web): serving the API only; run `npm run build`');
  // JSON bodies are bounded before they are parsed: a smaller limit without credentials, UTF-8, depth and
  // member count (libs/registry/src/common/json-body.ts).
  const bodyGuard = jsonBodyGuard(app, config);
  app.use(bodyGuard.limit);
  app.useBodyParser('json', {
    limit: config.bodyLimit,
    type: ['application/json', 'application/*+json'],
    // body-parser's own hook. Nest leaves it out of the option type because it takes it over for
    // `rawBody: true`, which this app does not use; test/e2e/input-bounds.e2e.spec.ts fails without it.
    ...{ verify: bodyGuard.verify },
  });
  app.use(bodyGuard.errors);
  app.useGlobalFilters(new ProblemFilter(logger));
  app.useGlobalPipes(
    new InputSafetyPipe(),
    new ValidationPipe({
      transform: true,
      ...VALIDATOR_OPTIONS,
      exceptionFactory: (errors) => DomainError.validation(toFieldErrors(errors)),
    }),
  );

  const document = buildOpenApiDocument(app);
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs-json' });
  return app;
}
