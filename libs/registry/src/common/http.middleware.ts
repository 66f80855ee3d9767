import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import { requestContext } from './request-context.js';

const INCOMING_ID = /^[A-Za-z0-9._-]{8,64}$/;

// Gives every request a correlation id (a well-formed incoming X-Request-Id, else a new UUID),
// echoes it in X-Correlation-Id, and logs one line when the response is finished: method, path
// without its query string (queries may carry an MRN), status, duration and the caller's id.
export function correlationAndLogging(logger: Logger) {
  return (request: Request, response: Response, next: NextFunction) => {
    const incoming = request.header('x-request-id');
    const correlationId = incoming && INCOMING_ID.test(incoming) ? incoming : randomUUID();
    const context = { correlationId } as { correlationId: string; userId?: string };
    response.setHeader('X-Correlation-Id', correlationId);
    const started = process.hrtime.bigint();
    response.on('finish', () => {
      const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
      logger.info(
        {
          correlationId,
          userId: context.userId,
          method: request.method,
          path: request.originalUrl.split('?')[0],
          route: request.route?.path,
          status: response.statusCode,
          durationMs: Math.round(durationMs * 100) / 100,
        },
        'request',
      );
    });
    requestContext.run(context, () => next());
  };
}
