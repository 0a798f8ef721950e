/**
 * Bounds on what one evaluation reads, so that a wrong path (a folder of images, a database dump) fails
 * with a sentence instead of exhausting memory. PSG's validation split (about 1,000 images, a few dozen
 * relations each, panoptic masks as RLE) fits well inside them.
 */
export const EVAL_LIMITS = {
  /** Largest JSON file read (bytes). V8 strings end a little above 512 MiB. */
  maxFileBytes: 256 * 1024 * 1024,
  /** Most scene graphs on one side (GT or predictions). */
  maxImages: 1_000_000,
  /**
   * Most relations in one graph. The asmv2 protocol compares every predicted triplet with every
   * ground-truth triplet of the same labels and predicate, so this also bounds the work per image.
   */
  maxTripletsPerImage: 10_000,
  /** Most relations over all graphs of one side. */
  maxTriplets: 5_000_000,
  /** Most questions, and most answers, in one QA evaluation. */
  maxQuestions: 1_000_000,
} as const;
