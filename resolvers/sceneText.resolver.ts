import { GraphQLJSONObject } from 'graphql-scalars';
import { Arg, Ctx, FieldResolver, ID, Int, Query, Resolver, Root } from 'type-graphql';
import { DATASET_LIMITS } from '../src/dataset/datasetLimits';
import { NotFoundError, UnreachableCaseError, UserInputError } from '../src/errors/errors';
import { exportPsg } from '../src/formats/psg.exporter';
import { exportSceneGraph } from '../src/formats/sceneGraph.exporter';
import type { SceneGraph } from '../src/scenegraph/sceneGraph.types';
import type { QaFormat } from '../src/text/qa';
import { generateTrainingData } from '../src/text/trainingData';
import type { RequestContext } from './runtime/context';
import { Image } from './types/image.type';
import { SceneGraphFormat, SpatialQaFormat, SpatialQaItem } from './types/sceneText.type';

const SPATIAL_QA_MAX_ITEMS = DATASET_LIMITS.maxQaPerImage;

async function storedScene(ctx: RequestContext, id: string, field: string): Promise<SceneGraph> {
  const scene = await ctx.loaders.sceneGraph.load(id);
  if (!scene) throw new NotFoundError(`${field}: no image with id ${id}`, { field, id });
  return scene;
}

const QA_FORMAT: Record<SpatialQaFormat, QaFormat> = { OPEN: 'open', CHOICE: 'choice', BOTH: 'both' };

/**
 * Text and exports of a stored image, from its stored graph read back as `dataset export` reads it
 * (src/store/export.store.ts) and through the same generators (src/text/, src/formats/): the answers
 * equal `scenegraph dataset export` and `scenegraph export` for the same graph and seed.
 */
@Resolver(() => Image)
export class SceneTextResolver {
  @FieldResolver(() => String, {
    description:
      "The image's spatial description grouped by depth layers (the SpaceSGG Desc), as `scenegraph text` writes it.",
  })
  async spatialDescription(
    @Root() image: Image,
    @Ctx() ctx: RequestContext,
    @Arg('grounded', {
      defaultValue: false,
      description: 'Tag objects with `<ref>/<box>` and relations with `<pred>`.',
    })
    grounded: boolean,
  ): Promise<string> {
    const scene = await storedScene(ctx, image.id, 'id');
    return generateTrainingData(scene, { seed: 0, kinds: ['desc'], grounded }).desc ?? '';
  }

  @FieldResolver(() => [SpatialQaItem], {
    description:
      'Spatial questions and answers about the image (front/back, up/down, depth order, occlusion, views): ' +
      'deterministic for a seed, the same items `scenegraph dataset export --kinds qa` writes.',
  })
  async spatialQA(
    @Root() image: Image,
    @Ctx() ctx: RequestContext,
    @Arg('seed', () => Int, {
      defaultValue: 0,
      description: 'Seed of the generator: the same seed, the same items.',
    })
    seed: number,
    @Arg('format', () => SpatialQaFormat, {
      defaultValue: SpatialQaFormat.OPEN,
      description: 'Open or single-choice.',
    })
    format: SpatialQaFormat,
    @Arg('max', () => Int, {
      defaultValue: 20,
      description: `Most items, 0 to ${SPATIAL_QA_MAX_ITEMS}; kinds take turns so that each is represented.`,
    })
    max: number,
    @Arg('grounded', {
      defaultValue: false,
      description: 'Tag objects with `<ref>/<box>` and relations with `<pred>`.',
    })
    grounded: boolean,
  ): Promise<SpatialQaItem[]> {
    if (!Number.isInteger(max) || max < 0 || max > SPATIAL_QA_MAX_ITEMS) {
      throw new UserInputError(`must be an integer from 0 to ${SPATIAL_QA_MAX_ITEMS}`, 'max');
    }
    const scene = await storedScene(ctx, image.id, 'id');
    const data = generateTrainingData(scene, {
      seed,
      kinds: ['qa'],
      grounded,
      maxQa: max,
      qaFormat: QA_FORMAT[format],
    });
    return data.qa.map((q) =>
      Object.assign(new SpatialQaItem(), {
        id: q.id,
        kind: q.kind,
        question: q.question,
        answer: q.answer,
        choices: q.choices ?? null,
        correct: q.correct ?? null,
      }),
    );
  }
}

@Resolver()
export class SceneExportResolver {
  @Query(() => GraphQLJSONObject, {
    description:
      "A stored image's scene graph in an exchange format: its objects, layers, the geometric relations derived " +
      'again with the thresholds it was built with, and its stored semantic relations.',
  })
  async exportSceneGraph(
    @Ctx() ctx: RequestContext,
    @Arg('id', () => ID, { description: 'The image id.' }) id: string,
    @Arg('format', () => SceneGraphFormat, { description: 'The format to write.' }) format: SceneGraphFormat,
  ): Promise<Record<string, unknown>> {
    const scene = await storedScene(ctx, id, 'id');
    switch (format) {
      case SceneGraphFormat.SCENE_GRAPH_V1:
        return exportSceneGraph(scene, `image ${id}`) as unknown as Record<string, unknown>;
      case SceneGraphFormat.PSG:
        return exportPsg([{ name: id, scene }]).file as unknown as Record<string, unknown>;
      default:
        throw new UnreachableCaseError(format);
    }
  }
}
