/**
 * What every importer shares: pixel boxes clipped to the frame, deterministic scene names, warnings
 * counted by kind, per-item failures, and the final check that a scene is one ingest accepts.
 */

import { UserInputError } from '../errors/errors';
import type { Box, SceneGraph } from '../scenegraph/sceneGraph.types';
import { regionFromMask } from '../spatial/mask';
import { validateSceneInput } from '../spatial/sceneValidation';
import { FormatError } from './formatError';
import type { ImportedScene, ImportFailure, ImportFormat, ImportResult } from './importTypes';

/**
 * [x1, y1, x2, y2] clipped to the image. Annotation tools and datasets write boxes that end a
 * fraction of a pixel (COCO) or more (Visual Genome) outside the image; the scene graph requires boxes
 * inside it, so they are clipped and the clip is reported. `undefined` when nothing of the box is
 * inside the image or it has no width or height.
 */
export function clipBox(
  box: readonly number[],
  width: number,
  height: number,
): { box: Box; clipped: boolean } | undefined {
  // x + w in floating point leaves noise (412.8 + 53.05 = 465.84999...); a micro-pixel is below any annotation's precision.
  const [x1, y1, x2, y2] = box.map((v) => Math.round(v * 1e6) / 1e6);
  const c: Box = [
    Math.max(0, Math.min(width, x1)),
    Math.max(0, Math.min(height, y1)),
    Math.max(0, Math.min(width, x2)),
    Math.max(0, Math.min(height, y2)),
  ];
  if (!(c[0] < c[2]) || !(c[1] < c[3])) return undefined;
  return { box: c, clipped: c.some((v, i) => v !== box[i]) };
}

/**
 * Output names from image names: the file name without its folders and extension, anything but
 * letters, digits, `.`, `_` and `-` replaced by `_`, so a name can never leave the output folder. A name seen before gets `-2`, `-3`... in input order, so runs are reproducible.
 */
export class SceneNames {
  private readonly used = new Map<string, number>();

  allocate(imageName: string): string {
    const withoutQuery = imageName.replace(/[?#].*$/, '');
    const parts = withoutQuery.split(/[\\/]+/).filter((p) => p !== '' && p !== '.' && p !== '..');
    const base =
      (parts.pop() ?? '')
        .replace(/\.[A-Za-z0-9]{1,5}$/, '')
        .replace(/[^A-Za-z0-9._-]+/g, '_')
        .replace(/^[._]+/, '')
        .slice(0, 120) || 'scene';
    return this.unique(base);
  }

  /** `base`, or `base-2`, `base-3`... when taken. */
  unique(base: string): string {
    let n = this.used.get(base) ?? 0;
    let name = base;
    while (this.used.has(name)) name = `${base}-${++n + 1}`;
    this.used.set(base, n);
    this.used.set(name, 0);
    return name;
  }
}

/**
 * Warnings counted by kind: a dataset with 10,000 clipped boxes gives one line with the count and the
 * first place it happened, not 10,000 lines.
 */
export class Warnings {
  private readonly byKind = new Map<string, { count: number; first: string }>();

  add(kind: string, where: string): void {
    const w = this.byKind.get(kind);
    if (w) w.count++;
    else this.byKind.set(kind, { count: 1, first: where });
  }

  list(): string[] {
    return [...this.byKind].map(([kind, w]) =>
      w.count === 1 ? `${kind} (${w.first})` : `${w.count} times: ${kind} (first: ${w.first})`,
    );
  }
}

/** Scenes, failures and warnings of one import, filled item by item. */
export class ImportCollector {
  readonly scenes: ImportedScene[] = [];
  readonly failures: ImportFailure[] = [];
  readonly warnings = new Warnings();
  private readonly names = new SceneNames();

  constructor(
    readonly format: ImportFormat,
    readonly file: string | undefined,
  ) {}

  /**
   * Runs `build` for one item; a FormatError (or any UserInputError) it throws becomes that item's
   * failure, anything else is a bug and propagates.
   */
  item(item: string, imageName: string | undefined, build: () => SceneGraph | undefined): void {
    try {
      const scene = build();
      if (scene === undefined) return;
      checkImportedScene(scene, this.file, item);
      this.scenes.push({ name: this.names.allocate(imageName ?? item), from: item, scene });
    } catch (err) {
      if (!(err instanceof UserInputError)) throw err;
      const error =
        err instanceof FormatError ? err : new FormatError(err.message, this.file, item, err.details);
      this.failures.push({ item: imageName ? `${item} (${imageName})` : item, error });
    }
  }

  result(): ImportResult {
    return {
      format: this.format,
      scenes: this.scenes,
      failures: this.failures,
      warnings: this.warnings.list(),
    };
  }
}

/**
 * The checks ingest applies (sceneValidation.ts, and the mask decoding the engine does), so that an
 * imported scene never fails later. Importers check their own fields first and name them in the
 * file's terms; this is the safety net, and names the scene field under the item.
 */
export function checkImportedScene(scene: SceneGraph, file: string | undefined, item: string): void {
  try {
    validateSceneInput(scene);
    scene.objects.forEach((o, i) => {
      if (o.mask !== undefined)
        regionFromMask(o.mask, scene.image.width, scene.image.height, `objects[${i}].mask`);
    });
  } catch (err) {
    if (!(err instanceof UserInputError)) throw err;
    const field = typeof err.details.path === 'string' ? err.details.path : undefined;
    if (item === '$' && field) {
      // The input is itself a scene graph: its own field is the JSON path.
      throw new FormatError(err.message.slice(field.length + 2), file, field);
    }
    throw new FormatError(`as a scene graph, ${err.message}`, file, item);
  }
}
