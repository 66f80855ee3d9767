// Domain errors: typed, with a code from one enum. The problem filter maps them to HTTP.
export enum ErrorCode {
  ValidationFailed = 'validation_failed',
  MalformedJson = 'malformed_json',
  MalformedFile = 'malformed_file',
  Unauthenticated = 'unauthenticated',
  InvalidCredentials = 'invalid_credentials',
  Forbidden = 'forbidden',
  NotFound = 'not_found',
  Duplicate = 'duplicate',
  Conflict = 'conflict',
  IdempotencyKeyReused = 'idempotency_key_reused',
  PreconditionRequired = 'precondition_required',
  PreconditionFailed = 'precondition_failed',
  Throttled = 'throttled',
  PayloadTooLarge = 'payload_too_large',
  UnsupportedMediaType = 'unsupported_media_type',
  NotReady = 'not_ready',
  // A questionnaire link that is unknown, used or expired: one answer for all three.
  LinkInvalid = 'link_invalid',
  MailUnavailable = 'mail_unavailable',
}

export interface FieldError {
  // A JSON path into the request: `release.location`, `portals[2]`.
  field: string;
  code: string;
  message: string;
}

// A request with thousands of bad fields gets the first MAX_FIELD_ERRORS and the count of the rest
// (`errorsOmitted`), so that the answer to a hostile body stays small.
export const MAX_FIELD_ERRORS = 50;

export interface DomainErrorOptions {
  errors?: FieldError[];
  // Extra members of the problem body (e.g. `existingId` on a duplicate MRN). Never identifiers.
  extensions?: Record<string, unknown>;
  headers?: Record<string, string>;
}

export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly detail: string,
    readonly options: DomainErrorOptions = {},
  ) {
    super(detail);
    this.name = 'DomainError';
  }

  static validation(errors: FieldError[], detail = 'The request is not valid; see errors.'): DomainError {
    if (errors.length <= MAX_FIELD_ERRORS) return new DomainError(ErrorCode.ValidationFailed, detail, { errors });
    return new DomainError(ErrorCode.ValidationFailed, detail, {
      errors: errors.slice(0, MAX_FIELD_ERRORS),
      extensions: { errorsOmitted: errors.length - MAX_FIELD_ERRORS },
    });
  }

  static notFound(what: string): DomainError {
    return new DomainError(ErrorCode.NotFound, `${what} was not found.`);
  }

  static forbidden(detail = 'Your role may not do this.'): DomainError {
    return new DomainError(ErrorCode.Forbidden, detail);
  }

  static unauthenticated(detail = 'Valid credentials are required.'): DomainError {
    return new DomainError(ErrorCode.Unauthenticated, detail, { headers: { 'WWW-Authenticate': 'Bearer' } });
  }
}

// Status and title of each code: the one table that decides what a client sees.
export const PROBLEM_TYPES: Record<ErrorCode, { status: number; title: string }> = {
  [ErrorCode.ValidationFailed]: { status: 400, title: 'Invalid request' },
  [ErrorCode.MalformedJson]: { status: 400, title: 'Malformed JSON' },
  [ErrorCode.MalformedFile]: { status: 400, title: 'Malformed file' },
  [ErrorCode.Unauthenticated]: { status: 401, title: 'Unauthenticated' },
  [ErrorCode.InvalidCredentials]: { status: 401, title: 'Invalid credentials' },
  [ErrorCode.Forbidden]: { status: 403, title: 'Forbidden' },
  [ErrorCode.NotFound]: { status: 404, title: 'Not found' },
  [ErrorCode.Duplicate]: { status: 409, title: 'Duplicate' },
  [ErrorCode.Conflict]: { status: 409, title: 'Conflict' },
  [ErrorCode.IdempotencyKeyReused]: { status: 409, title: 'Idempotency key reused' },
  [ErrorCode.PreconditionFailed]: { status: 412, title: 'Precondition failed' },
  [ErrorCode.PayloadTooLarge]: { status: 413, title: 'Payload too large' },
  [ErrorCode.UnsupportedMediaType]: { status: 415, title: 'Unsupported media type' },
  [ErrorCode.PreconditionRequired]: { status: 428, title: 'Precondition required' },
  [ErrorCode.Throttled]: { status: 429, title: 'Too many requests' },
  [ErrorCode.NotReady]: { status: 503, title: 'Service not ready' },
  [ErrorCode.LinkInvalid]: { status: 404, title: 'This link is no longer valid' },
  [ErrorCode.MailUnavailable]: { status: 503, title: 'Mail could not be sent' },
};

export const PROBLEM_TYPE_BASE = 'https://ilr-registry.org/problems/';
