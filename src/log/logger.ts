import pino from 'pino';

export type Logger = pino.Logger;

/**
 * Structured JSON logs on stderr, so stdout stays free for command output (`scenegraph build`
 * writes the graph to stdout).
 */
export function createLogger(level: string = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({ level, base: { service: 'scenegraph' } }, pino.destination(2));
}
