import type { FormatError } from './formatError';
import type { RelationSource, SceneGraph } from '../scenegraph/sceneGraph.types';

/** The formats `scenegraph import` and `ingest --format` read. */
export const IMPORT_FORMATS = ['coco', 'labelme', 'psg', 'vg', 'grounded'] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

export interface ImportOptions {
  /** The input's file name, for error messages. */
  file?: string;
  /**
   * Maps an image name as the file writes it (`val2017/000000000139.jpg`) to the scene's image.uri.
   * Default: unchanged. The CLI resolves names against --image-root.
   */
  imageUri?: (name: string) => string;
  /** Source of imported relations; ANNOTATION unless the file holds a model's predictions. */
  relationSource?: RelationSource;
  /** COCO: crowd annotations (iscrowd 1) are skipped (default) or kept as objects. */
  crowd?: 'skip' | 'keep';
  /**
   * A second parsed file the format needs: Visual Genome's image_data.json (image sizes), or, for a
   * COCO detection-results list, the instances JSON it was computed on (images and categories).
   */
  imageData?: unknown;
  /** imageData's file name, for error messages. */
  imageDataFile?: string;
}

export interface ImportedScene {
  /** Deterministic, unique within one import: the output file's name without `.json`. */
  name: string;
  /** Where in the input this scene came from (`images[3]`), for messages. */
  from: string;
  scene: SceneGraph;
}

export interface ImportFailure {
  /** Where in the input (`images[3] (000000000139.jpg)`). */
  item: string;
  error: FormatError;
}

/**
 * What an import gives: the scenes that are valid, the items that are not (each with its own error,
 * so one bad image does not lose a dataset), and warnings about what was dropped or changed.
 */
export interface ImportResult {
  format: ImportFormat;
  scenes: ImportedScene[];
  failures: ImportFailure[];
  warnings: string[];
}

/** A pure importer: parsed file in, scene graphs out. Throws FormatError when the file as a whole is unusable. */
export type Importer = (data: unknown, options: ImportOptions) => ImportResult;
