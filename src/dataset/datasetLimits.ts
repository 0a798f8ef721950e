/**
 * Limits of `scenegraph dataset export` (and of the same generators behind `Image.spatialQA`). The page size bounds memory: the export holds one page of
 * images (their objects, layers and relations) and the records made from them at a time, whatever the
 * size of the store.
 */
export const DATASET_LIMITS = {
  /** Images read from the store per query (keyset pagination on the image id). */
  defaultPageSize: 100,
  maxPageSize: 1000,
  /** Conditions in all `--where` options together. */
  maxWhereConditions: 32,
  /** Most QA items one `Image.spatialQA` answer holds (the generator's default is 20). */
  maxQaPerImage: 100,
} as const;
