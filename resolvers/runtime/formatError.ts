import type { ApolloServerPlugin } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, GraphQLFormattedError } from 'graphql';
import { AppError, ErrorCode, UserInputError } from '../../src/errors/errors';
import type { Logger } from '../../src/log/logger';

/**
 * Errors that reach clients: our AppErrors keep their code and message (plus the field path for bad
 * input), with any absolute server path cut to its last segment; GraphQL's own validation, parse and
 * argument-coercion errors are client errors and keep their message; database faults say only that
 * the database is unavailable; anything else is logged in full and masked, so neither stacks nor
 * Cypher nor driver internals, server paths or the Bolt URI leave the server.
 */

/** What a client is told when Neo4j cannot be reached (the log has the operation and the cause). */
export const DATABASE_UNAVAILABLE_MESSAGE = 'The database is unavailable; try again later';

// An absolute POSIX path or file: URI that starts a word: `/srv/data/a.png`, `file:///x/y`.
const ABSOLUTE_PATH = /(^|[\s("'`=,[])(?:file:\/\/)?(\/[^\s"'`,;()[\]]+)/g;
const BOLT_URI = /\b(?:bolt|neo4j)(?:\+s|\+ssc)?:\/\/[^\s"'`,;()]+/g;

/** Removes server internals from a message: absolute paths become their last segment, Bolt URIs go. */
export function redactMessage(message: string): string {
  return message.replace(BOLT_URI, 'the database').replace(ABSOLUTE_PATH, (_m, lead: string, p: string) => {
    const last = p.replace(/\/+$/, '').split('/').pop();
    return `${lead}${last ? `.../${last}` : '...'}`;
  });
}

/**
 * A GraphQLError raised by graphql-js about the request itself (an argument value that cannot be
 * coerced, an operation type the schema lacks): it names the AST node of the input and wraps no
 * thrown error. Errors about results (a resolver returned a value its type cannot serialize) carry
 * no node of their own and stay server faults.
 */
function isRequestError(original: unknown): original is GraphQLError {
  return original instanceof GraphQLError && !original.originalError && (original.nodes?.length ?? 0) > 0;
}

/**
 * A GraphQLError built by the server framework before execution (no resolver path, no wrapped
 * exception, no source location): it describes the HTTP request, so it is the client's.
 */
function isRequestPipelineError(
  original: unknown,
  formatted: GraphQLFormattedError,
): original is GraphQLError {
  return (
    original instanceof GraphQLError &&
    !original.originalError &&
    formatted.path === undefined &&
    (original.nodes?.length ?? 0) === 0
  );
}

/**
 * The field a variable-coercion error is about, as graphql-js names it: `Variable "$input" got invalid
 * value "feet" at "input.depth.unit"; ...` -> `input.depth.unit`; without `at`, the variable itself.
 */
export function variableField(message: string): string | undefined {
  const m = /^Variable "\$([A-Za-z_][A-Za-z0-9_]*)" got invalid value .*?(?: at "([^"]+)")?; /s.exec(message);
  return m ? (m[2] ?? m[1]) : undefined;
}

export function makeFormatError(logger: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    if (original instanceof AppError) {
      if (original.code === ErrorCode.INTERNAL_SERVER_ERROR) {
        logger.error({ err: original, path: formatted.path }, 'resolver failed');
        return masked(formatted);
      }
      if (original.code === ErrorCode.DATABASE_UNAVAILABLE) {
        logger.error({ err: original, path: formatted.path }, 'database unavailable');
      } else if (original.code === ErrorCode.CONFLICT || original.code === ErrorCode.TIMEOUT) {
        logger.warn({ err: original, path: formatted.path }, 'request failed');
      }
      return {
        message: clientMessage(original),
        path: formatted.path,
        locations: formatted.locations,
        extensions: {
          code: original.code,
          ...(original instanceof UserInputError && original.path ? { field: original.path } : {}),
        },
      };
    }
    const code = formatted.extensions?.code;
    const fromGraphQL =
      original instanceof GraphQLError || (error instanceof GraphQLError && original === error);
    if (fromGraphQL && typeof code === 'string' && code !== ErrorCode.INTERNAL_SERVER_ERROR) {
      const reason = formatted.extensions?.reason;
      const field = code === ErrorCode.BAD_USER_INPUT ? variableField(formatted.message) : undefined;
      return {
        message: formatted.message,
        locations: formatted.locations,
        path: formatted.path,
        extensions: {
          code,
          ...(typeof reason === 'string' ? { reason } : {}),
          ...(field !== undefined ? { field } : {}),
        },
      };
    }
    if (isRequestError(original)) {
      return {
        message: original.message,
        locations: formatted.locations,
        path: formatted.path,
        extensions: { code: ErrorCode.BAD_USER_INPUT },
      };
    }
    if (isRequestPipelineError(original, formatted)) {
      // Apollo's request pipeline about the request as sent (e.g. "provided sha does not match query"
      // for a persisted query): a constructed message, not a caught exception.
      return { message: original.message, extensions: { code: 'BAD_REQUEST' } };
    }
    logger.error({ err: original, path: formatted.path }, 'unexpected error');
    return masked(formatted);
  };
}

/** Database errors (src/db/database.ts, with the operation in `details.op`) get a generic reason. */
const DATABASE_MESSAGES: Partial<Record<ErrorCode, string>> = {
  [ErrorCode.DATABASE_UNAVAILABLE]: DATABASE_UNAVAILABLE_MESSAGE,
  [ErrorCode.CONFLICT]: 'A concurrent write conflicted with this one; try again',
  [ErrorCode.TIMEOUT]: 'The database did not answer within the time limit (REQUEST_TIMEOUT_MS)',
};

function clientMessage(err: AppError): string {
  const generic = DATABASE_MESSAGES[err.code];
  if (generic && (err.code === ErrorCode.DATABASE_UNAVAILABLE || typeof err.details.op === 'string')) {
    return generic;
  }
  return redactMessage(err.message);
}

function masked(formatted: GraphQLFormattedError): GraphQLFormattedError {
  return {
    message: 'Internal server error',
    path: formatted.path,
    extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
  };
}

/** HTTP status of a response whose operation failed as a whole (no data), by its first error's code. */
const STATUS_BY_CODE: Record<string, number> = {
  [ErrorCode.BAD_USER_INPUT]: 400,
  BAD_REQUEST: 400,
  [ErrorCode.DATABASE_UNAVAILABLE]: 503,
  [ErrorCode.BUSY]: 503,
  [ErrorCode.TIMEOUT]: 504,
};

/**
 * GraphQL over HTTP answers 200 when execution started, even if nothing came of it. When the whole
 * operation failed (data null) with a client error or an unavailable dependency, the HTTP status says
 * so (400, 503, 504), so that proxies, retries and monitoring see it without parsing the body.
 */
export function errorStatusPlugin(): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          if (response.body.kind !== 'single') return;
          const { data, errors } = response.body.singleResult;
          if (!errors?.length || (data !== null && data !== undefined)) return;
          if (response.http.status !== undefined && response.http.status !== 200) return;
          const status = STATUS_BY_CODE[String(errors[0].extensions?.code)];
          if (status) response.http.status = status;
        },
      };
    },
  };
}
