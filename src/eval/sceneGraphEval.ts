/**
 * Scene-graph evaluation (SPEC section 8): ground-truth graphs against predicted graphs under a named
 * protocol. Pure: graphs in (as parsed JSON, validated here), report out; reading files is
 * loadEvalFiles.ts's job. See asmv2.ts and openpsg.ts for what each protocol computes.
 */

import { UnreachableCaseError, UserInputError } from '../errors/errors';
import { scoreAsmv2 } from './asmv2';
import { EVAL_LIMITS } from './evalLimits';
import { prepareImage, type EvalImage } from './evalImage';
import type { LabelMode } from './evalLabels';
import { scoreOpenPsg } from './openpsg';
import { pairImages } from './pairImages';
import {
  EVAL_PROTOCOLS,
  type EvalProtocol,
  type ImageCounts,
  type SceneGraphEvalReport,
} from './sceneGraphReport.types';

export interface SceneGraphEvalOptions {
  protocol: EvalProtocol;
  /** Where each graph came from, for error messages (default `gt[i]` / `pred[i]`). */
  gtSources?: readonly string[];
  predSources?: readonly string[];
}

function labelMode(protocol: EvalProtocol): LabelMode {
  switch (protocol) {
    case 'asmv2':
      return 'panoptic-base';
    case 'openpsg':
      return 'normalised';
    default:
      throw new UnreachableCaseError(protocol);
  }
}

function prepareSide(
  graphs: readonly unknown[],
  sources: readonly string[] | undefined,
  side: 'gt' | 'pred',
  labels: LabelMode,
): EvalImage[] {
  if (graphs.length > EVAL_LIMITS.maxImages) {
    throw new UserInputError(`${graphs.length} graphs; at most ${EVAL_LIMITS.maxImages} are evaluated`, side);
  }
  let triplets = 0;
  return graphs.map((g, i) => {
    const image = prepareImage(g, sources?.[i] ?? `${side}[${i}]`, labels);
    triplets += image.triplets.length;
    if (triplets > EVAL_LIMITS.maxTriplets) {
      throw new UserInputError(
        `more than ${EVAL_LIMITS.maxTriplets} relations in all; evaluate in parts`,
        image.source,
      );
    }
    return image;
  });
}

export function evaluateSceneGraphs(
  gt: readonly unknown[],
  pred: readonly unknown[],
  options: SceneGraphEvalOptions,
): SceneGraphEvalReport {
  const protocol = options.protocol;
  if (!(EVAL_PROTOCOLS as readonly unknown[]).includes(protocol)) {
    throw new UserInputError(
      `must be one of ${EVAL_PROTOCOLS.join(', ')}; got ${JSON.stringify(protocol)}`,
      'protocol',
    );
  }
  const labels = labelMode(protocol);
  const gtImages = prepareSide(gt, options.gtSources, 'gt', labels);
  const predImages = prepareSide(pred, options.predSources, 'pred', labels);
  if (!gtImages.some((g) => g.triplets.length > 0)) {
    throw new UserInputError(
      `the ground truth (${gtImages.length} graphs) has no relations, so there is nothing to recall`,
      'gt',
    );
  }
  const paired = pairImages(gtImages, predImages);
  const images: ImageCounts = {
    gt: gtImages.length,
    gtWithTriplets: gtImages.filter((g) => g.triplets.length > 0).length,
    predictions: predImages.length,
    matched: paired.pairs.filter((p) => p.pred).length,
    gtWithoutPrediction: paired.pairs.filter((p) => !p.pred && p.gt.triplets.length > 0).length,
    predictionsNotInGt: paired.unmatched.length,
  };
  const report = protocol === 'asmv2' ? scoreAsmv2(paired, images) : scoreOpenPsg(paired, images);
  if (paired.unmatched.length > 0) {
    const shown = paired.unmatched.slice(0, 5).join(', ');
    report.notes.push(
      `${paired.unmatched.length} predictions are for images not in the GT and were ignored: ${shown}${paired.unmatched.length > 5 ? ', ...' : ''}`,
    );
  }
  return report;
}
