import path from 'node:path';
import { UserInputError } from '../errors/errors';
import { readDepthFile } from '../io/depthFile';
import { readExifFocalLength, type ExifFocalLength } from '../io/exif';
import type { SceneGraph } from '../scenegraph/sceneGraph.types';
import { toDepthMap, type DepthMap } from '../spatial/depthMap';
import { buildSceneGraph, SPATIAL_ENGINE } from '../spatial/engine';
import { validateSceneInput } from '../spatial/sceneValidation';
import type { BuildOptions } from '../spatial/spatialOptions';

/**
 * Turns an incoming scene graph (JSON v1, from a file, the CLI or a GraphQL mutation) into the built
 * graph that gets stored: validated, its depth map read when it names one, and the spatial engine run
 * unless the scene was already built by it (`provenance.engine`) and brings no depth map.
 *
 * Local files are read only inside `roots`, and remote URIs are refused: the service must not be a
 * way to read arbitrary files or to make requests into private networks.
 */

export interface PrepareOptions {
  /** Folders depth-map paths may resolve into. */
  roots: string[];
  /** Relative depth paths resolve against this folder (the scene file's folder for the CLI). */
  baseDir: string;
  build?: BuildOptions;
}

export function resolveLocalPath(uri: string, opts: PrepareOptions, field: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(uri) && !uri.startsWith('file://')) {
    throw new UserInputError(
      `remote URIs are not fetched (${uri.split('/').slice(0, 3).join('/')}/...); give a local path inside the allowed roots`,
      field,
    );
  }
  const local = uri.startsWith('file://') ? new URL(uri).pathname : uri;
  const resolved = path.resolve(opts.baseDir, local);
  const inside = opts.roots.some((root) => {
    const rel = path.relative(path.resolve(root), resolved);
    return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
  });
  if (!inside) {
    throw new UserInputError(
      `path ${resolved} is outside the allowed roots (${opts.roots.join(', ')}; set INGEST_ROOTS)`,
      field,
    );
  }
  return resolved;
}

export async function loadDepthMap(scene: SceneGraph, opts: PrepareOptions): Promise<DepthMap | undefined> {
  if (!scene.depth) return undefined;
  const file = resolveLocalPath(scene.depth.uri, opts, 'depth.uri');
  const raw = await readDepthFile(file, {
    unit: scene.depth.unit,
    scale: scene.depth.scale,
    field: 'depth.uri',
  });
  return toDepthMap(raw.data, raw.width, raw.height, { unit: raw.unit });
}

export function isBuilt(scene: SceneGraph): boolean {
  return scene.provenance?.engine === SPATIAL_ENGINE;
}

/** The image's recorded focal length, when the image is a readable local file inside the roots. */
async function loadExif(scene: SceneGraph, opts: PrepareOptions): Promise<ExifFocalLength | undefined> {
  try {
    return await readExifFocalLength(resolveLocalPath(scene.image.uri, opts, 'image.uri'));
  } catch {
    return undefined; // a remote or out-of-root image is fine: it is only referenced, never read
  }
}

export async function prepareScene(input: unknown, opts: PrepareOptions): Promise<SceneGraph> {
  validateSceneInput(input);
  const scene = input;
  const depth = await loadDepthMap(scene, opts);
  if (!depth && isBuilt(scene)) return scene;
  const exif = opts.build?.intrinsics ? undefined : await loadExif(scene, opts);
  return buildSceneGraph(scene, depth, { ...opts.build, exif });
}
