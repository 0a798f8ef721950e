import { readFile, stat } from 'node:fs/promises';
import { GraphQLJSONObject } from 'graphql-scalars';
import { Arg, Authorized, Ctx, ID, Mutation, Resolver } from 'type-graphql';
import { NotFoundError, UserInputError } from '../src/errors/errors';
import type { RequestContext } from './runtime/context';
import { sha256Hex } from '../src/io/decodeImage';
import { configuredMllm } from '../src/mllm/mllmConfig';
import { fetchImage } from '../src/pipeline/fetchImage';
import { resolveLocalPath } from '../src/pipeline/localFiles';
import { runPipeline, type ImageSource, type PipelineResult } from '../src/pipeline/pipeline';
import { storeScenes } from '../src/pipeline/store';
import { deleteImage } from '../src/store/ingest.store';
import type { DepthRef } from '../src/scenegraph/sceneGraph.types';
import { IngestImageInput } from './types/ingest.input';
import { jsonDepthUnit, SceneGraphInput, toSceneJson } from './types/scene.input';
import { toImage } from './mappers';
import { DeleteImageResult, DepthSource, IngestResult, IngestStatus } from './types/ingest.type';

/**
 * A bad-input error about a field of the scene graph, named under the argument that holds it
 * (`objects[0].box` -> `scene.objects[0].box`); other errors unchanged.
 */
function underArgument(err: unknown, argument: string): unknown {
  if (!(err instanceof UserInputError)) return err;
  const inner = err.path;
  const message =
    inner && err.message.startsWith(`${inner}: `) ? err.message.slice(inner.length + 2) : err.message;
  const path = inner ? `${argument}.${inner}` : argument;
  const { path: _, ...details } = err.details as Record<string, unknown>;
  return new UserInputError(message, path, details);
}

/** Base64 as sent in JSON: no data-URL prefix, only the base64 alphabet. */
function decodeBase64(data: string): Buffer {
  const clean = data.replace(/\s+/g, '');
  if (clean.length === 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(clean)) {
    throw new UserInputError('must be base64 (no data: prefix)', 'input.data');
  }
  return Buffer.from(clean, 'base64');
}

@Resolver()
export class IngestResolver {
  private async store(ctx: RequestContext, result: PipelineResult): Promise<IngestResult> {
    const [stored] = await storeScenes(ctx.db, [result.scene]);
    const row = await ctx.loaders.image.load(stored.imageId);
    if (!row) throw new NotFoundError(`image ${stored.imageId} vanished after ingest`);
    return {
      status: stored.status.toUpperCase() as IngestStatus,
      image: toImage(row),
      depth: result.depth.toUpperCase() as DepthSource,
    };
  }

  /** The one scene ingest path: the JSON form and the typed form (converted to the same JSON) both end here. */
  private async ingestJson(
    ctx: RequestContext,
    input: Record<string, unknown>,
    thresholds: Record<string, unknown> | undefined | null,
  ): Promise<IngestResult> {
    const { ingestRoots } = ctx.config;
    const result = await runPipeline(
      { kind: 'scene', input },
      {
        access: { roots: ingestRoots, baseDir: ingestRoots[0] ?? process.cwd() },
        build: thresholds ? { thresholds } : undefined,
        engine: ctx.engine,
      },
    );
    return this.store(ctx, result);
  }

  @Authorized('write')
  @Mutation(() => IngestResult, {
    description:
      'Stores a scene graph (JSON v1, schema/scene-graph.v1.schema.json) atomically. Runs the spatial engine ' +
      'when the graph names a depth map (a local path inside INGEST_ROOTS) or has not been built yet. ' +
      'Idempotent: the same image with the same graph is stored once. Errors name the field inside the ' +
      'graph (e.g. `objects[0].box`). `ingestScene` takes the same graph as typed input.',
  })
  async ingestSceneGraph(
    @Ctx() ctx: RequestContext,
    @Arg('input', () => GraphQLJSONObject, { description: 'The scene graph, JSON v1.' })
    input: Record<string, unknown>,
    @Arg('thresholds', () => GraphQLJSONObject, {
      nullable: true,
      description: 'Overrides of the spatial thresholds (names as in the engine threshold table).',
    })
    thresholds?: Record<string, unknown>,
  ): Promise<IngestResult> {
    return this.ingestJson(ctx, input, thresholds);
  }

  @Authorized('write')
  @Mutation(() => IngestResult, {
    description:
      'ingestSceneGraph with the scene graph as typed input (so generated clients check it): the input is turned ' +
      'into the same JSON v1 object and validated, built and stored exactly as there. Errors name the field ' +
      'under `scene` (e.g. `scene.objects[0].box`).',
  })
  async ingestScene(
    @Ctx() ctx: RequestContext,
    @Arg('scene', () => SceneGraphInput, { description: 'The scene graph.' })
    scene: SceneGraphInput,
    @Arg('thresholds', () => GraphQLJSONObject, {
      nullable: true,
      description: 'Overrides of the spatial thresholds (names as in the engine threshold table).',
    })
    thresholds?: Record<string, unknown>,
  ): Promise<IngestResult> {
    try {
      return await this.ingestJson(ctx, toSceneJson(scene), thresholds);
    } catch (err) {
      throw underArgument(err, 'scene');
    }
  }

  @Authorized('write')
  @Mutation(() => IngestResult, {
    description:
      'Ingests an image: objects from the detector (DETECTOR_MODEL), depth from the depth model when it is pulled ' +
      '(DEPTH_MODEL) or from a given depth file, then the spatial engine; stored atomically. Without a depth model ' +
      'the image is stored with its detections and 2D relations (depth: ABSENT). Idempotent: the same image ' +
      'content with the same models and settings is stored once.',
  })
  async ingestImage(
    @Ctx() ctx: RequestContext,
    @Arg('input', () => IngestImageInput, { description: 'The image and how to read it.' })
    input: IngestImageInput,
    @Arg('thresholds', () => GraphQLJSONObject, {
      nullable: true,
      description: 'Overrides of the spatial thresholds (names as in the engine threshold table).',
    })
    thresholds?: Record<string, unknown>,
    @Arg('mllm', () => Boolean, {
      defaultValue: false,
      description:
        "Objects and relations (source MODEL) from the service's MLLM endpoint (MLLM_URL, MLLM_MODEL) instead of the " +
        'detector, as `scenegraph ingest --images --mllm`; depth and geometric relations as usual.',
    })
    mllm = false,
  ): Promise<IngestResult> {
    const { config } = ctx;
    const mllmBackend = mllm ? configuredMllm(config) : undefined;
    if (mllm && !mllmBackend) {
      throw new UserInputError('this service has no MLLM endpoint configured (MLLM_URL, MLLM_MODEL)', 'mllm');
    }
    if (mllm && input.queries) throw new UserInputError('is for the detector, not mllm', 'input.queries');
    const given = (['data', 'path', 'url'] as const).filter(
      (k) => input[k] !== undefined && input[k] !== null,
    );
    if (given.length !== 1) {
      throw new UserInputError(
        `give exactly one of data, path or url${given.length ? ` (got ${given.join(' and ')})` : ''}`,
        'input',
      );
    }
    const access = { roots: config.ingestRoots, baseDir: config.ingestRoots[0] ?? process.cwd() };
    let depth: DepthRef | undefined;
    if (input.depth) {
      depth = {
        uri: resolveLocalPath(input.depth.path, access, 'input.depth.path'),
        unit: jsonDepthUnit(input.depth.unit),
        ...(input.depth.scale !== undefined && input.depth.scale !== null
          ? { scale: input.depth.scale }
          : {}),
      };
    }
    let bytes: Buffer;
    let uri: string;
    if (input.data !== undefined && input.data !== null) {
      bytes = decodeBase64(input.data);
      uri = `upload:${sha256Hex(bytes)}`;
    } else if (input.path !== undefined && input.path !== null) {
      const file = resolveLocalPath(input.path, access, 'input.path');
      const size = await stat(file).then(
        (st) => (st.isFile() ? st.size : -1),
        () => -1,
      );
      if (size < 0) throw new UserInputError(`cannot read ${file}`, 'input.path');
      // The same bound as an upload, checked before anything is read.
      if (size > config.limits.maxUploadBytes) {
        throw new UserInputError(
          `the file is ${size} bytes; at most ${config.limits.maxUploadBytes} are accepted`,
          'input.path',
        );
      }
      bytes = await readFile(file).catch(() => {
        throw new UserInputError(`cannot read ${file}`, 'input.path');
      });
      uri = file;
    } else {
      const fetched = await fetchImage(input.url!, {
        maxBytes: config.limits.maxUploadBytes,
        timeoutMs: config.images.fetchTimeoutMs,
        field: 'input.url',
      });
      bytes = fetched.bytes;
      uri = fetched.url;
    }
    if (bytes.length > config.limits.maxUploadBytes) {
      throw new UserInputError(`the image is over ${config.limits.maxUploadBytes} bytes`, 'input');
    }
    const source: ImageSource = {
      kind: 'image',
      bytes,
      uri: input.uri ?? uri,
      depth,
      depthField: 'input.depth.path',
      queries: input.queries ?? undefined,
    };
    const result = await runPipeline(source, {
      access,
      build: thresholds ? { thresholds } : undefined,
      inference: await ctx.inference(),
      maxPixels: config.images.maxPixels,
      engine: ctx.engine,
      mllm: mllmBackend,
    });
    return this.store(ctx, result);
  }

  @Authorized('write')
  @Mutation(() => DeleteImageResult, {
    description: 'Removes an image with its objects, layers and relations.',
  })
  async deleteImage(
    @Ctx() { db }: RequestContext,
    @Arg('id', () => ID, { description: 'The image id.' }) id: string,
  ): Promise<DeleteImageResult> {
    const r = await deleteImage(db, id);
    if (!r.deleted) throw new NotFoundError(`no image with id ${id}`, { id });
    return { id, nodesDeleted: r.nodesDeleted, relationshipsDeleted: r.relationshipsDeleted };
  }
}
