import { parentPort } from 'node:worker_threads';
import { AppError, UserInputError } from '../errors/errors';
import { buildSceneGraph } from '../spatial/engine';
import type { EngineReply, EngineRequest } from './engineThreads';

/**
 * Runs the spatial engine off the service's event loop (src/pipeline/engineThreads.ts). Every message
 * is one build; its errors travel back as code, message and field path.
 */
const port = parentPort;
if (!port) throw new Error('engine.worker must run as a worker thread');

port.on('message', (msg: EngineRequest) => {
  let reply: EngineReply;
  try {
    reply = { id: msg.id, scene: buildSceneGraph(msg.scene, msg.depth, msg.options) };
  } catch (err) {
    reply = {
      id: msg.id,
      error: {
        code: err instanceof AppError ? err.code : 'INTERNAL_SERVER_ERROR',
        message: err instanceof Error ? err.message : String(err),
        ...(err instanceof UserInputError && err.path ? { path: err.path } : {}),
      },
    };
  }
  port.postMessage(reply);
});
