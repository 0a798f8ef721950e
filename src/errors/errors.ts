/**
 * Error classes shared by the CLI, the engine, the store and the GraphQL layer. Each carries a stable
 * public `code` (the GraphQL `extensions.code`), so callers branch on codes, never on messages.
 * The CLI maps them to exit codes; the GraphQL layer passes their message through and masks anything
 * that is not one of these.
 */

export const ErrorCode = {
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  CONFIG_INVALID: 'CONFIG_INVALID',
  DATABASE_UNAVAILABLE: 'DATABASE_UNAVAILABLE',
  MIGRATION_MISMATCH: 'MIGRATION_MISMATCH',
  ENVIRONMENT: 'ENVIRONMENT',
  /** The inference queue is full; try again later (HTTP 503). */
  BUSY: 'BUSY',
  /** An inference request did not finish within its time limit (HTTP 504). */
  TIMEOUT: 'TIMEOUT',
  /** A model file is missing, unreadable, or its tensors are not what its adapter expects. */
  MODEL_INVALID: 'MODEL_INVALID',
  /** No API key, or a malformed, unknown or revoked one (HTTP 401). */
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  /** The key's role is below what the operation needs (HTTP 403). */
  FORBIDDEN: 'FORBIDDEN',
  /** The key's request budget is spent; retry after the time given (HTTP 429). */
  RATE_LIMITED: 'RATE_LIMITED',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * Invalid input. `path` names the offending field the way a user wrote it
 * (e.g. `objects[3].box` or `--depth-scale`).
 */
export class UserInputError extends AppError {
  constructor(
    message: string,
    readonly path?: string,
    details: Record<string, unknown> = {},
  ) {
    super(ErrorCode.BAD_USER_INPUT, path ? `${path}: ${message}` : message, { ...details, path });
  }
}

export class NotFoundError extends AppError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super(ErrorCode.NOT_FOUND, message, details);
  }
}

/** Something outside the project is missing or wrong (no Java, port taken, Maven unreachable). */
export class EnvironmentError extends AppError {
  constructor(message: string, details: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(ErrorCode.ENVIRONMENT, message, details, options);
  }
}

/** The inference queue is full: the caller should retry later rather than wait without bound. */
export class BusyError extends AppError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super(ErrorCode.BUSY, message, details);
  }
}

export class TimeoutError extends AppError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super(ErrorCode.TIMEOUT, message, details);
  }
}

/**
 * A model cannot be used: missing or corrupt file, or inputs/outputs that do not match its adapter.
 * `model` and (where one is to blame) `tensor` name what is wrong.
 */
export class ModelError extends AppError {
  constructor(
    message: string,
    readonly model: string,
    readonly tensor?: string,
    options?: { cause?: unknown },
  ) {
    super(
      ErrorCode.MODEL_INVALID,
      `model ${model}${tensor ? `, tensor ${tensor}` : ''}: ${message}`,
      { model, tensor },
      options,
    );
  }
}

/** Used in exhaustive switches: the compiler proves the default branch unreachable. */
export class UnreachableCaseError extends Error {
  constructor(value: never) {
    super(`Unreachable case: ${JSON.stringify(value)}`);
  }
}
