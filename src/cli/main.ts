#!/usr/bin/env node
import 'reflect-metadata';
import { Command, CommanderError } from 'commander';
import { AppError, ErrorCode } from '../errors/errors';
import { VERSION } from '../version';
import { registerBuildCommand } from './commands/build.command';
import { registerDbCommands } from './commands/db.command';
import { registerEvalCommands } from './commands/eval.command';
import { registerExportCommand } from './commands/export.command';
import { registerImportCommand } from './commands/import.command';
import { registerIngestCommand } from './commands/ingest.command';
import { registerKeysCommands } from './commands/keys.command';
import { registerModelsCommand } from './commands/models.command';
import { registerServeCommand } from './commands/serve.command';
import { registerSynthCommand } from './commands/synth.command';
import { registerDatasetCommand } from './commands/dataset.command';
import { registerTextCommand } from './commands/text.command';

/**
 * Exit codes: 0 success, 1 unexpected failure, 2 bad input or usage, 3 environment / configuration /
 * database problems (something outside the command line must change).
 */
export const EXIT = { OK: 0, FAILURE: 1, USAGE: 2, ENVIRONMENT: 3 } as const;

export function exitCodeFor(err: unknown): number {
  if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
  if (err instanceof AppError) {
    switch (err.code) {
      case ErrorCode.BAD_USER_INPUT:
      case ErrorCode.NOT_FOUND:
        return EXIT.USAGE;
      case ErrorCode.CONFIG_INVALID:
      case ErrorCode.DATABASE_UNAVAILABLE:
      case ErrorCode.MIGRATION_MISMATCH:
      case ErrorCode.ENVIRONMENT:
      case ErrorCode.CONFLICT:
      case ErrorCode.MODEL_INVALID:
      case ErrorCode.BUSY:
      case ErrorCode.TIMEOUT:
        return EXIT.ENVIRONMENT;
      // The service's request errors; a command that talks to the service passes them on.
      case ErrorCode.UNAUTHENTICATED:
      case ErrorCode.FORBIDDEN:
      case ErrorCode.RATE_LIMITED:
        return EXIT.ENVIRONMENT;
      case ErrorCode.INTERNAL_SERVER_ERROR:
        return EXIT.FAILURE;
    }
  }
  return EXIT.FAILURE;
}

export function buildProgram(): Command {
  const program = new Command('scenegraph')
    .description('Spatial scene graphs from images, stored in Neo4j and served over GraphQL')
    .version(VERSION)
    .showHelpAfterError()
    .exitOverride();
  registerServeCommand(program);
  registerDbCommands(program);
  registerIngestCommand(program);
  registerImportCommand(program);
  registerExportCommand(program);
  registerSynthCommand(program);
  registerBuildCommand(program);
  registerTextCommand(program);
  registerDatasetCommand(program);
  registerModelsCommand(program);
  registerEvalCommands(program);
  registerKeysCommands(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return Number(process.exitCode ?? EXIT.OK);
  } catch (err) {
    if (err instanceof CommanderError) return exitCodeFor(err);
    const code = exitCodeFor(err);
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`scenegraph: ${message}\n`);
    if (code === EXIT.FAILURE && err instanceof Error && err.stack && process.env.LOG_LEVEL === 'debug') {
      process.stderr.write(`${err.stack}\n`);
    }
    return code;
  }
}

if (require.main === module) {
  main(process.argv).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`scenegraph: ${String(err)}\n`);
      process.exitCode = EXIT.FAILURE;
    },
  );
}
