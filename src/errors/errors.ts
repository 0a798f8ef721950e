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

/** Used in exhaustive switches: the compiler proves the default branch unreachable. */
export class UnreachableCaseError extends Error {
  constructor(value: never) {
    super(`Unreachable case: ${JSON.stringify(value)}`);
  }
}
