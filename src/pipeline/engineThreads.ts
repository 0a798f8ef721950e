import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { AppError, ErrorCode, UserInputError } from '../errors/errors';
import type { SceneGraph } from '../scenegraph/sceneGraph.types';
import type { DepthMap } from '../spatial/depthMap';
import { buildSceneGraph } from '../spatial/engine';
import type { BuildOptions } from '../spatial/spatialOptions';

/**
 * Where the pipeline runs the spatial engine. The CLI runs it in-process (`inlineEngine`); the service
 * hands it to worker threads (`EngineThreads`), because a scene of a few hundred objects keeps the
 * engine busy for long enough to stall every other request (health probes included) on one event loop.
 */
export type SpatialEngine = (
  scene: SceneGraph,
  depth: DepthMap | undefined,
  options: BuildOptions,
) => Promise<SceneGraph>;

export const inlineEngine: SpatialEngine = (scene, depth, options) =>
  Promise.resolve().then(() => buildSceneGraph(scene, depth, options));

export interface EngineRequest {
  id: number;
  scene: SceneGraph;
  depth?: DepthMap;
  options: BuildOptions;
}

export type EngineReply =
  | { id: number; scene: SceneGraph; error?: undefined }
  | { id: number; error: { code: string; message: string; path?: string } };

/** The compiled worker beside this file; from TypeScript sources (ts-jest), its build in dist/. */
function workerScript(): string {
  if (__filename.endsWith('.js')) return path.join(__dirname, 'engine.worker.js');
  const root = path.resolve(__dirname, '..', '..');
  return path.join(root, 'dist', path.relative(root, __dirname), 'engine.worker.js');
}

function toError(e: { code: string; message: string; path?: string }): AppError {
  if (e.code === ErrorCode.BAD_USER_INPUT) {
    const err = new UserInputError('', e.path);
    err.message = e.message;
    return err;
  }
  const code = (Object.values(ErrorCode) as string[]).includes(e.code)
    ? (e.code as ErrorCode)
    : ErrorCode.INTERNAL_SERVER_ERROR;
  return new AppError(code, e.message);
}

interface Slot {
  worker: Worker;
  pending: Map<number, { resolve: (s: SceneGraph) => void; reject: (e: unknown) => void }>;
}

/**
 * A fixed set of engine worker threads, started on first use, each build given to the least busy one.
 * A worker that dies fails its pending builds and is replaced on the next build.
 */
export class EngineThreads {
  private readonly slots: (Slot | undefined)[];
  private nextId = 1;
  private closed = false;

  constructor(
    readonly size: number,
    private readonly script = workerScript(),
  ) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError('EngineThreads needs at least one worker');
    this.slots = new Array<Slot | undefined>(size).fill(undefined);
  }

  readonly run: SpatialEngine = (scene, depth, options) => {
    if (this.closed)
      return Promise.reject(new AppError(ErrorCode.INTERNAL_SERVER_ERROR, 'engine threads closed'));
    const slot = this.pick();
    const id = this.nextId++;
    return new Promise<SceneGraph>((resolve, reject) => {
      slot.pending.set(id, { resolve, reject });
      const msg: EngineRequest = { id, scene, depth, options };
      slot.worker.postMessage(msg);
    });
  };

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(
      this.slots.map(async (slot, i) => {
        this.slots[i] = undefined;
        if (slot) await slot.worker.terminate();
      }),
    );
  }

  private pick(): Slot {
    let best = -1;
    for (let i = 0; i < this.slots.length; i++) {
      const s = this.slots[i];
      if (!s) {
        best = i;
        break;
      }
      if (best < 0 || s.pending.size < this.slots[best]!.pending.size) best = i;
    }
    return (this.slots[best] ??= this.spawn(best));
  }

  private spawn(index: number): Slot {
    const worker = new Worker(this.script);
    const slot: Slot = { worker, pending: new Map() };
    // Idle workers must not keep the process alive; pending builds hold their requests open anyway.
    worker.unref();
    worker.on('message', (reply: EngineReply) => {
      const p = slot.pending.get(reply.id);
      if (!p) return;
      slot.pending.delete(reply.id);
      if (reply.error) p.reject(toError(reply.error));
      else p.resolve(reply.scene);
    });
    const fail = (err: unknown) => {
      if (this.slots[index] === slot) this.slots[index] = undefined;
      for (const p of slot.pending.values()) {
        p.reject(
          new AppError(ErrorCode.INTERNAL_SERVER_ERROR, 'spatial engine worker failed', {}, { cause: err }),
        );
      }
      slot.pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => {
      if (slot.pending.size > 0) fail(new Error(`engine worker exited with code ${code}`));
      else if (this.slots[index] === slot) this.slots[index] = undefined;
    });
    return slot;
  }
}
