import { promises as fs } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { UserInputError } from '../../errors/errors';
import { readDepthFile } from '../../io/depthFile';
import { readExifFocalLength } from '../../io/exif';
import { prettyJson } from '../../io/prettyJson';
import type { DepthInputUnit, Intrinsics } from '../../scenegraph/sceneGraph.types';
import { toDepthMap } from '../../spatial/depthMap';
import { buildSceneGraph } from '../../spatial/engine';

interface BuildCliOptions {
  input: string;
  depth?: string;
  depthUnit?: string;
  depthScale?: string;
  intrinsics?: string;
  thresholds?: string;
  out?: string;
}

const UNITS: DepthInputUnit[] = ['meters', 'relative', 'inverse'];

export function parseIntrinsics(text: string): Intrinsics {
  const parts = text.split(',').map((p) => Number(p.trim()));
  if (parts.length !== 4 || parts.some((p) => !Number.isFinite(p)) || parts[0] <= 0 || parts[1] <= 0) {
    throw new UserInputError(`must be fx,fy,cx,cy with fx, fy > 0; got "${text}"`, '--intrinsics');
  }
  const [fx, fy, cx, cy] = parts;
  return { fx, fy, cx, cy, source: 'GIVEN' };
}

async function readJson(file: string, field: string): Promise<unknown> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch {
    throw new UserInputError(`cannot read ${file}`, field);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UserInputError(`${file} is not valid JSON (${(err as Error).message})`, field);
  }
}

export function registerBuildCommand(program: Command): void {
  program
    .command('build')
    .description(
      'Build a scene graph: per-object depth, layers and spatial relations from a scene and its depth map',
    )
    .requiredOption('--input <scene.json>', 'scene-graph JSON v1 (objects with boxes or masks)')
    .option(
      '--depth <file>',
      'depth map (.npy float32/float64/uint16, or 16-bit PNG); default: the scene\'s "depth" entry',
    )
    .option(
      '--depth-unit <unit>',
      'meters | relative (larger = farther) | inverse (larger = nearer, Depth Anything)',
    )
    .option('--depth-scale <s>', 'multiplier for raw values (e.g. 0.001 for millimetre PNGs)')
    .option(
      '--intrinsics <fx,fy,cx,cy>',
      "camera intrinsics in pixels (default: the scene's, EXIF, or a 60 degree FOV prior)",
    )
    .option(
      '--thresholds <json>',
      'overrides of the spatial threshold table, e.g. \'{"frontMaxOverlap":0.3}\'',
    )
    .option('--out <graph.json>', 'write here instead of stdout')
    .action(async (opts: BuildCliOptions) => {
      const scene = (await readJson(opts.input, '--input')) as {
        depth?: { uri: string; unit: DepthInputUnit; scale?: number };
      };
      if (opts.depthUnit !== undefined && !UNITS.includes(opts.depthUnit as DepthInputUnit)) {
        throw new UserInputError(
          `must be one of ${UNITS.join(', ')}; got "${opts.depthUnit}"`,
          '--depth-unit',
        );
      }
      let scale: number | undefined;
      if (opts.depthScale !== undefined) {
        scale = Number(opts.depthScale);
        if (!Number.isFinite(scale) || scale <= 0) {
          throw new UserInputError(`must be a positive number; got "${opts.depthScale}"`, '--depth-scale');
        }
      }
      let thresholds: Record<string, unknown> | undefined;
      if (opts.thresholds !== undefined) {
        try {
          thresholds = JSON.parse(opts.thresholds) as Record<string, unknown>;
        } catch {
          throw new UserInputError('must be a JSON object', '--thresholds');
        }
      }
      const intrinsics = opts.intrinsics === undefined ? undefined : parseIntrinsics(opts.intrinsics);

      const declared = typeof scene === 'object' && scene !== null ? scene.depth : undefined;
      const depthFile =
        opts.depth ?? (declared ? path.resolve(path.dirname(opts.input), declared.uri) : undefined);
      let depthMap;
      if (depthFile) {
        const unit =
          (opts.depthUnit as DepthInputUnit | undefined) ?? (opts.depth ? undefined : declared?.unit);
        if (!unit)
          throw new UserInputError('is required with --depth (meters, relative or inverse)', '--depth-unit');
        const raw = await readDepthFile(depthFile, {
          unit,
          scale: scale ?? (opts.depth ? undefined : declared?.scale),
          field: opts.depth ? '--depth' : 'depth.uri',
        });
        depthMap = toDepthMap(raw.data, raw.width, raw.height, { unit: raw.unit });
      } else if (opts.depthUnit !== undefined || opts.depthScale !== undefined) {
        throw new UserInputError(
          'needs --depth (or a "depth" entry in the scene)',
          opts.depthUnit ? '--depth-unit' : '--depth-scale',
        );
      }
      // Without given intrinsics the engine may use the focal length the camera recorded in the image.
      const imageUri = (scene as { image?: { uri?: unknown } }).image?.uri;
      const exif =
        intrinsics === undefined && typeof imageUri === 'string' && !/^[a-z][a-z0-9+.-]*:\/\//i.test(imageUri)
          ? await readExifFocalLength(path.resolve(path.dirname(opts.input), imageUri))
          : undefined;
      const graph = buildSceneGraph(scene as never, depthMap, { intrinsics, thresholds, exif });
      const text = prettyJson(graph);
      if (opts.out) {
        await fs.writeFile(opts.out, text);
        process.stderr.write(
          `wrote ${opts.out}: ${graph.objects.length} objects, ${graph.layers?.length ?? 0} layers, ${graph.relations?.length ?? 0} relations\n`,
        );
      } else {
        process.stdout.write(text);
      }
    });
}
