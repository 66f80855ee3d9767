import type { LoggerService } from '@nestjs/common';
import { pino, type DestinationStream, type Logger } from 'pino';
import { requestContext } from './request-context.js';

// Structured JSON logs on stdout. Anything that could carry a patient identifier (bodies, query
// strings, headers) is never passed to the logger; the redact list is a second net, not the first.
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'ilr-registry' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: {
        paths: ['*.mrn', '*.birthDate', '*.password', '*.token', '*.accessToken', '*.authorization', '*.notes'],
        censor: '[redacted]',
      },
      mixin() {
        const context = requestContext.get();
        return context ? { correlationId: context.correlationId, userId: context.userId } : {};
      },
    },
    destination ?? pino.destination({ dest: 1, sync: false }),
  );
}

// Routes Nest's own log lines (bootstrap, route mapping, lifecycle) into the same JSON stream.
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, context?: string) {
    this.logger.info({ context }, String(message));
  }
  error(message: unknown, trace?: string, context?: string) {
    this.logger.error({ context, stack: trace }, String(message));
  }
  warn(message: unknown, context?: string) {
    this.logger.warn({ context }, String(message));
  }
  debug(message: unknown, context?: string) {
    this.logger.debug({ context }, String(message));
  }
  verbose(message: unknown, context?: string) {
    this.logger.trace({ context }, String(message));
  }
}

export const LOGGER = Symbol('LOGGER');
