/**
 * The GraphQL layer's public face: what the HTTP server (src/server) needs to serve it. The layer
 * depends only downwards (store, pipeline, spatial engine, config); nothing under src/ other than the
 * server imports it.
 *
 *   runtime/   schema assembly, per-request context and DataLoaders, error formatting, query limits
 *   types/     object, input (`*.input.ts`) and argument (`*.args.ts`) types
 *   *.resolver.ts  one resolver class per root field group or object type
 */
export type { RequestContext } from './runtime/context';
export { createRequestContext } from './runtime/requestContext';
export { errorStatusPlugin, makeFormatError } from './runtime/formatError';
export { GuardedDocumentStore, queryLimitRules, queryLimitsPlugin } from './runtime/limits';
export { buildGraphQLSchema } from './runtime/schema';
export { hintsPlugin } from './hints';
