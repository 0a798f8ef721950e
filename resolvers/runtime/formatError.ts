import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, GraphQLFormattedError } from 'graphql';
import { AppError, ErrorCode, UserInputError } from '../../src/errors/errors';
import type { Logger } from '../../src/log/logger';

/**
 * Errors that reach clients: our AppErrors keep their message and code (plus the field path for bad
 * input); GraphQL's own validation/parse errors pass through; anything else is logged in full and
 * masked, so neither stacks nor Cypher nor driver internals leave the server.
 */
export function makeFormatError(logger: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    if (original instanceof AppError) {
      if (
        original.code === ErrorCode.INTERNAL_SERVER_ERROR ||
        original.code === ErrorCode.DATABASE_UNAVAILABLE
      ) {
        logger.error({ err: original, path: formatted.path }, 'resolver failed');
      }
      return {
        message: original.message,
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
      return {
        message: formatted.message,
        locations: formatted.locations,
        path: formatted.path,
        extensions: { code, ...(typeof reason === 'string' ? { reason } : {}) },
      };
    }
    logger.error({ err: original, path: formatted.path }, 'unexpected error');
    return {
      message: 'Internal server error',
      path: formatted.path,
      extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
    };
  };
}
