/**
 * Imported first by benchmarks that run the service: the service is measured as it is deployed
 * (Dockerfile, docker-compose.yml: NODE_ENV=production). Libraries read NODE_ENV once, when they are
 * loaded: graphql-js, for one, replaces every `instanceof` check of its type system by a slower one
 * that looks for a second copy of the library unless it is `production`. An explicit NODE_ENV is kept
 * (and recorded in the results).
 */
process.env.NODE_ENV ??= 'production';

export const BENCH_NODE_ENV = process.env.NODE_ENV;
