/**
 * Which prediction belongs to which ground-truth image: by the image's sha256 when both graphs have
 * one, else by its uri (compared exactly). Two synthetic scenes may both be called "image.png" yet
 * differ in content, so a uri only identifies an image when a hash is missing on one side.
 *
 * Every GT image gets at most one prediction; a GT image with none is still scored (recall 0). A
 * prediction for an image the GT does not have is counted and otherwise ignored. Two graphs on one
 * side for the same image are refused: which one to score would be a guess.
 */

import { UserInputError } from '../errors/errors';
import type { EvalImage } from './evalImage';

export interface ImagePair {
  gt: EvalImage;
  pred?: EvalImage;
}

export interface PairedImages {
  pairs: ImagePair[];
  /** Predictions whose image is not in the GT (sources), ignored by the scores. */
  unmatched: string[];
}

const shaOf = (image: EvalImage): string | undefined => image.graph.image.sha256?.toLowerCase();

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

export function pairImages(gt: readonly EvalImage[], pred: readonly EvalImage[]): PairedImages {
  const bySha = new Map<string, EvalImage>();
  const byUri = new Map<string, EvalImage[]>();
  for (const g of gt) {
    const sha = shaOf(g);
    if (sha !== undefined) {
      const other = bySha.get(sha);
      if (other) {
        throw new UserInputError(
          `describes the same image (sha256 ${sha}) as ${other.source}; give each image once`,
          g.source,
        );
      }
      bySha.set(sha, g);
    }
    const sameUri = byUri.get(g.graph.image.uri) ?? [];
    const clash = sameUri.find((o) => sha === undefined || shaOf(o) === undefined);
    if (clash) {
      throw new UserInputError(
        `has the same image uri ${JSON.stringify(g.graph.image.uri)} as ${clash.source} and no sha256 to tell them apart`,
        g.source,
      );
    }
    push(byUri, g.graph.image.uri, g);
  }

  const predOf = new Map<EvalImage, EvalImage>();
  const unmatched: string[] = [];
  for (const p of pred) {
    const sha = shaOf(p);
    let match = sha !== undefined ? bySha.get(sha) : undefined;
    if (match === undefined) {
      const candidates = (byUri.get(p.graph.image.uri) ?? []).filter(
        (g) => sha === undefined || shaOf(g) === undefined,
      );
      if (candidates.length > 1) {
        throw new UserInputError(
          `image uri ${JSON.stringify(p.graph.image.uri)} matches ${candidates.map((c) => c.source).join(' and ')}; add the image's sha256 to tell them apart`,
          p.source,
        );
      }
      match = candidates[0];
    }
    if (match === undefined) {
      unmatched.push(p.source);
      continue;
    }
    const earlier = predOf.get(match);
    if (earlier) {
      throw new UserInputError(
        `is a second prediction for the image of ${match.source} (the first is ${earlier.source}); give one graph per image`,
        p.source,
      );
    }
    const [g, q] = [match.graph.image, p.graph.image];
    if (g.width !== q.width || g.height !== q.height) {
      throw new UserInputError(
        `image is ${q.width}x${q.height} but the ground truth (${match.source}) is ${g.width}x${g.height}; boxes and masks must be in the same image's pixels`,
        p.source,
      );
    }
    predOf.set(match, p);
  }
  return { pairs: gt.map((g) => ({ gt: g, pred: predOf.get(g) })), unmatched };
}
