import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { ClsMiddleware } from 'nestjs-cls';
import type { Logger } from 'pino';

const INCOMING_ID = /^[A-Za-z0-9._-]{8,64}$/;
// A questionnaire link's token (the page's path and the API's) opens a patient's questionnaire: never logged.
const LINK_TOKEN = /(\/questionnaire\/(?:unsubscribe\/)?)[^/]{20,}/;

// The path as logged: without its query string (queries may carry an MRN) and without a link's token.
export function loggedPath(originalUrl: string): string {
  return originalUrl.split('?')[0].replace(LINK_TOKEN, '$1[token]');
}

// Opens the request's nestjs-cls context with its correlation id (a well-formed incoming X-Request-Id,
// else a new UUID), echoes the id in X-Correlation-Id, and logs one line when the response is
// finished: method, path without its query string (queries may carry an MRN), status, duration and
// the caller's id. Mounted with app.use before helmet and the body parser, so that every answer,
// a refused body's too, carries the id (ClsModule's own `mount` would run after them).
export function correlationAndLogging(logger: Logger) {
  const middleware = new ClsMiddleware({
    generateId: true,
    idGenerator: (request: Request) => {
      const incoming = request.header('x-request-id');
      return incoming && INCOMING_ID.test(incoming) ? incoming : randomUUID();
    },
    saveReq: false,
    // No proxy providers or plugins are declared; resolving them would only cost a lookup per request.
    resolveProxyProviders: false,
    initializePlugins: false,
    setup: (cls, request: Request, response: Response) => {
      const correlationId = cls.getId();
      // The store itself: the 'finish' listener runs outside the request's async context, and the
      // AuthGuard sets userId on this object later (requestContext.setUser).
      const store = cls.get() as { userId?: string };
      response.setHeader('X-Correlation-Id', correlationId);
      const started = process.hrtime.bigint();
      response.on('finish', () => {
        const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
        logger.info(
          {
            correlationId,
            userId: store.userId,
            method: request.method,
            path: loggedPath(request.originalUrl),
            route: (request.route as { path?: string } | undefined)?.path,
            status: response.statusCode,
            durationMs: Math.round(durationMs * 100) / 100,
          },
          'request',
        );
      });
    },
  });
  return (request: Request, response: Response, next: NextFunction) => middleware.use(request, response, next);
}
