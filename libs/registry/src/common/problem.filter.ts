import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, HttpStatus } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import { DomainError, ErrorCode, PROBLEM_TYPE_BASE, PROBLEM_TYPES } from './errors.js';
import { requestContext } from './request-context.js';

interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail?: string;
  code?: string;
  errors?: unknown[];
  correlationId?: string;
  [extension: string]: unknown;
}

// Members a problem's extensions may never set: RFC 9457's own and ours. An extension named like
// one of them (a job's `status`, say) would change the answer's meaning or break it outright.
export const RESERVED_PROBLEM_MEMBERS: ReadonlySet<string> = new Set([
  'type',
  'title',
  'status',
  'detail',
  'instance',
  'code',
  'errors',
  'correlationId',
]);

// The problem body of a domain error. Extensions come first and without the reserved members, so
// they can add to a problem but never replace what it says.
export function domainProblem(exception: DomainError, correlationId: string): { body: ProblemBody; ignored: string[] } {
  const { status, title } = PROBLEM_TYPES[exception.code];
  const extensions = Object.entries(exception.options.extensions ?? {});
  return {
    body: {
      ...Object.fromEntries(extensions.filter(([name]) => !RESERVED_PROBLEM_MEMBERS.has(name))),
      type: PROBLEM_TYPE_BASE + exception.code,
      title,
      status,
      detail: exception.detail,
      code: exception.code,
      ...(exception.options.errors ? { errors: exception.options.errors } : {}),
      correlationId,
    },
    ignored: extensions.map(([name]) => name).filter((name) => RESERVED_PROBLEM_MEMBERS.has(name)),
  };
}

const STATUS_CODES: Partial<Record<number, ErrorCode>> = {
  400: ErrorCode.ValidationFailed,
  401: ErrorCode.Unauthenticated,
  403: ErrorCode.Forbidden,
  404: ErrorCode.NotFound,
  409: ErrorCode.Conflict,
  412: ErrorCode.PreconditionFailed,
  413: ErrorCode.PayloadTooLarge,
  415: ErrorCode.UnsupportedMediaType,
  428: ErrorCode.PreconditionRequired,
  429: ErrorCode.Throttled,
};

function databaseError(error: unknown): { code?: string; constraint?: string; table?: string } | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const driver =
    (error as { driverError?: unknown }).driverError ??
    ((error as { severity?: unknown }).severity ? error : undefined);
  return driver && typeof driver === 'object'
    ? (driver as { code?: string; constraint?: string; table?: string })
    : undefined;
}

// Body-parser errors arrive as plain errors with a `type` and `status`.
function isBodyParserError(error: unknown): error is { type: string; status: number } {
  return (
    typeof error === 'object' &&
    error !== null &&
    'type' in error &&
    'status' in error &&
    typeof (error as { type: unknown }).type === 'string'
  );
}

// Every error leaves the service as application/problem+json (RFC 9457). Known errors keep their
// message; anything unexpected becomes a bare 500 whose only detail is the correlation id, while
// the stack goes to the log.
@Catch()
export class ProblemFilter implements ExceptionFilter {
  constructor(private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const request = host.switchToHttp().getRequest<Request>();
    const correlationId = requestContext.correlationId() ?? String(response.getHeader('X-Correlation-Id') ?? '');
    const { body, headers } = this.toProblem(exception, correlationId, request);
    if (response.headersSent) {
      // A stream failed mid-way: the status is gone, so end the response and let the client see it cut.
      response.destroy();
      return;
    }
    for (const [name, value] of Object.entries(headers)) response.setHeader(name, value);
    response.status(body.status).type('application/problem+json').send(JSON.stringify(body));
  }

  private toProblem(
    exception: unknown,
    correlationId: string,
    request: Request,
  ): { body: ProblemBody; headers: Record<string, string> } {
    if (exception instanceof DomainError) {
      const { body, ignored } = domainProblem(exception, correlationId);
      // A programming error, not the client's: named (never the values) so that it gets fixed.
      if (ignored.length > 0) this.logger.warn({ code: exception.code, ignored }, 'problem extensions ignored');
      return { body, headers: exception.options.headers ?? {} };
    }
    // Nest wraps body-parser failures in an HttpException whose message may quote the body
    // (a JSON syntax error shows the text around it): answer from the cause, never the message.
    const bodyError = isBodyParserError(exception)
      ? exception
      : exception instanceof HttpException && isBodyParserError(exception.cause)
        ? exception.cause
        : undefined;
    if (bodyError && bodyError.status < 500) {
      const exception = bodyError;
      const code =
        exception.type === 'entity.parse.failed'
          ? ErrorCode.MalformedJson
          : exception.type === 'entity.too.large'
            ? ErrorCode.PayloadTooLarge
            : exception.status === 415
              ? ErrorCode.UnsupportedMediaType
              : ErrorCode.ValidationFailed;
      const { status, title } = PROBLEM_TYPES[code];
      const detail =
        code === ErrorCode.MalformedJson
          ? 'The request body is not valid JSON.'
          : code === ErrorCode.PayloadTooLarge
            ? 'The request body is larger than the service accepts.'
            : 'The request body could not be read.';
      return {
        body: {
          type: PROBLEM_TYPE_BASE + code,
          title,
          status,
          detail,
          code,
          ...(code === ErrorCode.MalformedJson
            ? { errors: [{ field: '', code: 'malformed_json', message: detail }] }
            : {}),
          correlationId,
        },
        headers: {},
      };
    }
    if (exception instanceof HttpException && exception.getStatus() < 500) {
      const status = exception.getStatus();
      const code = STATUS_CODES[status];
      const raw = exception.getResponse();
      const detail =
        typeof raw === 'string'
          ? raw
          : typeof raw === 'object' && raw && 'message' in raw && typeof raw.message === 'string'
            ? raw.message
            : exception.message;
      return {
        body: {
          type: code ? PROBLEM_TYPE_BASE + code : 'about:blank',
          title: code ? PROBLEM_TYPES[code].title : (HttpStatus[status] ?? 'Error'),
          status,
          // Nest's default 404 names the path; keep it only without a query string.
          detail: status === 404 ? `No route ${request.method} ${request.path}.` : detail,
          ...(code ? { code } : {}),
          correlationId,
        },
        headers: {},
      };
    }
    // A unique violation that the code did not turn into a domain error (a race between two writes)
    // is still a conflict, not a fault.
    const driver = databaseError(exception);
    if (driver?.code === '23505') {
      return {
        body: {
          type: PROBLEM_TYPE_BASE + ErrorCode.Duplicate,
          title: PROBLEM_TYPES[ErrorCode.Duplicate].title,
          status: 409,
          detail: 'Another record already has these values.',
          code: ErrorCode.Duplicate,
          correlationId,
        },
        headers: {},
      };
    }
    // Database errors carry the statement's parameters and the server's detail, which may hold
    // patient data: only their name, code, constraint and stack are logged, and the message unless it
    // is a data exception (class 22, whose messages quote the rejected value).
    const stack = (exception as Error).stack ?? '';
    const err = driver
      ? {
          type: (exception as Error).name,
          code: driver.code,
          constraint: driver.constraint,
          table: driver.table,
          stack: driver.code?.startsWith('22') ? stack.split('\n').slice(1).join('\n') : stack,
        }
      : exception;
    this.logger.error({ err, correlationId, method: request.method, path: request.path }, 'unhandled error');
    return {
      body: {
        type: 'about:blank',
        title: 'Internal Server Error',
        status: 500,
        detail: `An unexpected error occurred. Quote correlation id ${correlationId} when reporting it.`,
        correlationId,
      },
      headers: {},
    };
  }
}
