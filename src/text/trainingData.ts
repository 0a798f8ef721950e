/**
 * One entry point for the data engine (SPEC section 5): Desc, QA and Conv for one scene graph.
 * Deterministic: the same graph and seed give identical output, and each kind draws from its own
 * seeded stream, so asking for fewer kinds does not change the ones that remain.
 */

import { UserInputError } from '../errors/errors';
import type { ImageRef, SceneGraph } from '../scenegraph/sceneGraph.types';
import { generateConversation, type Conversation } from './conversation';
import { describeScene } from './describe';
import { DEFAULT_MAX_QA, generateQa, type QaFormat, type QaItem, type QaKind } from './qa';
import { createRng, type Seed } from './random';

export type TrainingKind = 'desc' | 'qa' | 'conv';
export const TRAINING_KINDS: readonly TrainingKind[] = ['desc', 'qa', 'conv'];

export interface TrainingDataOptions {
  seed: Seed;
  /** Which outputs to produce (default all three). */
  kinds?: readonly TrainingKind[];
  /** Mention objects with ASMv2 `<ref>/<box>` tags and relations with `<pred>` tags (default false). */
  grounded?: boolean;
  /** Most QA items (default DEFAULT_MAX_QA). */
  maxQa?: number;
  qaFormat?: QaFormat;
  qaKinds?: readonly QaKind[];
}

export interface TrainingData {
  image: ImageRef;
  seed: Seed;
  grounded: boolean;
  desc?: string;
  qa: QaItem[];
  /** Absent when not requested or when the graph has no objects. */
  conv?: Conversation;
}

export function generateTrainingData(graph: SceneGraph, options: TrainingDataOptions): TrainingData {
  const kinds = options.kinds ?? TRAINING_KINDS;
  for (const k of kinds) {
    if (!TRAINING_KINDS.includes(k)) {
      throw new UserInputError(
        `unknown kind ${JSON.stringify(k)}; use one of ${TRAINING_KINDS.join(', ')}`,
        'kinds',
      );
    }
  }
  const rng = createRng(options.seed);
  const grounded = options.grounded ?? false;
  const data: TrainingData = { image: graph.image, seed: options.seed, grounded, qa: [] };
  if (kinds.includes('desc')) data.desc = describeScene(graph, { grounded });
  if (kinds.includes('qa')) {
    data.qa = generateQa(graph, rng.fork('qa'), {
      grounded,
      max: options.maxQa ?? DEFAULT_MAX_QA,
      format: options.qaFormat,
      kinds: options.qaKinds,
    });
  }
  if (kinds.includes('conv')) data.conv = generateConversation(graph, rng.fork('conv'), { grounded });
  return data;
}
