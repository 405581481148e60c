/**
 * Every error the server's HTTP API answers with, in one place (docs/sync-protocol.md, "Common").
 * A client branches on `code`, never on the message: codes are stable, messages are for people.
 * The answer is always `{ "error": { "code", "message" } }`, plus route-specific members.
 */
import { STATEMENT_ERRORS, StatementError, type StatementErrorCode } from './importers/errors.js';

/**
 * A statement file the importers refused answers with the importer's own code (the one list is
 * src/server/importers/errors.ts) and its status: 400 for a bad format or mapping, 422 for a bad
 * file; the line and column go beside the message.
 */
const STATEMENT_ANSWERS = Object.fromEntries(
  (Object.keys(STATEMENT_ERRORS) as StatementErrorCode[]).map((code) => [
    code,
    // The status comes from StatementError itself, so that the two cannot disagree.
    { status: new StatementError(code, '').statusCode, message: `The statement was refused: ${STATEMENT_ERRORS[code]}.` },
  ]),
) as Record<StatementErrorCode, { status: 400 | 422; message: string }>;

export const ERRORS = {
  BAD_JSON: { status: 400, message: 'The body is not valid JSON.' },
  SCHEMA_VIOLATION: { status: 400, message: 'The body does not have the expected shape.' },
  /** A request fault that is neither the JSON nor its shape (a body shorter than its Content-Length). */
  BAD_REQUEST: { status: 400, message: 'The request is malformed.' },
  UNAUTHORIZED: { status: 401, message: 'A valid bearer token is required.' },
  FORBIDDEN: { status: 403, message: 'This token may not use this route.' },
  NOT_FOUND: { status: 404, message: 'No such route.' },
  RECEIPT_CONFLICT: { status: 409, message: 'Some receipts conflict with receipts already held under the same id.' },
  PAYLOAD_TOO_LARGE: { status: 413, message: 'The body is larger than the server accepts.' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'The body must be application/json, with Content-Encoding gzip or none.' },
  IDEMPOTENCY_KEY_REUSED: { status: 422, message: 'This Idempotency-Key was already used for a different request.' },
  INTERNAL: { status: 500, message: 'The server failed; the request may be retried.' },
  /** The server is stopping: a retry shortly after goes to the next process. */
  UNAVAILABLE: { status: 503, message: 'The server is stopping; retry shortly.' },
  /** PATCH /api/v1/discrepancies/:key with a key no run found. */
  DISCREPANCY_NOT_FOUND: { status: 404, message: 'No discrepancy has this key.' },
  /** The matcher refused its input (a time it cannot read): the data, not the request, is at fault. */
  RECONCILE_FAILED: { status: 422, message: 'Reconciliation could not run on the data held.' },
  ...STATEMENT_ANSWERS,
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERRORS;

export interface ErrorBody {
  readonly error: { readonly code: ErrorCode; readonly message: string; readonly [detail: string]: unknown };
}

/** An answer the API gives on purpose: thrown in a handler or hook, rendered by the error handler. */
export class ApiError extends Error {
  readonly statusCode: number;

  constructor(
    readonly code: ErrorCode,
    message?: string,
    /** Route-specific members beside `error` (the 409 carries the receipt lists). */
    readonly extra?: Readonly<Record<string, unknown>>,
    /** Members inside `error` beside code and message (a statement's line and column). */
    readonly detail?: Readonly<Record<string, unknown>>,
  ) {
    super(message ?? ERRORS[code].message);
    this.name = 'ApiError';
    this.statusCode = ERRORS[code].status;
  }

  body(): ErrorBody & Record<string, unknown> {
    return { ...(this.extra ?? {}), error: { ...(this.detail ?? {}), code: this.code, message: this.message } };
  }
}

export const apiError = (code: ErrorCode, message?: string, extra?: Readonly<Record<string, unknown>>): ApiError =>
  new ApiError(code, message, extra);

/** A StatementError as the API answers it: its code and status, its message, line and column. */
export function statementApiError(err: StatementError): ApiError {
  const j = err.toJSON();
  return new ApiError(err.code, err.message, undefined, {
    ...(j.line !== undefined ? { line: j.line } : {}),
    ...(j.column !== undefined ? { column: j.column } : {}),
  });
}

/**
 * Fastify's and Node's own errors, as the API's codes: a body over the limit, a media type with no
 * parser, gzip that does not inflate. Anything not listed is INTERNAL.
 */
export function fromFrameworkError(err: { code?: string; statusCode?: number; message?: string }): ApiError {
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
    case 'ERR_BUFFER_TOO_LARGE':
      return new ApiError('PAYLOAD_TOO_LARGE');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ApiError('UNSUPPORTED_MEDIA_TYPE');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new ApiError('BAD_JSON');
    case 'Z_DATA_ERROR':
    case 'Z_BUF_ERROR':
      return new ApiError('BAD_JSON', 'The body is not valid gzip (Content-Encoding: gzip).');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new ApiError('BAD_REQUEST', 'The body is not as long as its Content-Length says.');
    case 'FST_ERR_CLOSING':
      return new ApiError('UNAVAILABLE');
    default:
      if (err.statusCode === 503) return new ApiError('UNAVAILABLE');
      if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
        return new ApiError('BAD_REQUEST', err.message ? oneLine(err.message) : undefined);
      }
      return new ApiError('INTERNAL');
  }
}

const oneLine = (s: string): string => s.split('\n')[0]!.slice(0, 300);
