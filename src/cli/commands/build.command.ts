import { promises as fs } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { loadConfig } from '../../config/config';
import { UserInputError } from '../../errors/errors';
import { prettyJson } from '../../io/prettyJson';
import { createLogger } from '../../log/logger';
import { cliFileAccess } from '../../pipeline/cliAccess';
import { runPipeline, type PipelineSource } from '../../pipeline/pipeline';
import { startInference } from '../../pipeline/startInference';
import type { DepthInputUnit, DepthRef, Intrinsics } from '../../scenegraph/sceneGraph.types';
import { parseQueries, parseThresholds, readJsonFile } from '../options';

interface BuildCliOptions {
  input?: string;
  image?: string;
  depth?: string;
  depthUnit?: string;
  depthScale?: string;
  intrinsics?: string;
  thresholds?: string;
  queries?: string;
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

/** --depth/--depth-unit/--depth-scale as a depth reference (absolute path), or undefined. */
export function parseDepthOptions(opts: {
  depth?: string;
  depthUnit?: string;
  depthScale?: string;
}): DepthRef | undefined {
  if (opts.depthUnit !== undefined && !UNITS.includes(opts.depthUnit as DepthInputUnit)) {
    throw new UserInputError(`must be one of ${UNITS.join(', ')}; got "${opts.depthUnit}"`, '--depth-unit');
  }
  let scale: number | undefined;
  if (opts.depthScale !== undefined) {
    scale = Number(opts.depthScale);
    if (!Number.isFinite(scale) || scale <= 0) {
      throw new UserInputError(`must be a positive number; got "${opts.depthScale}"`, '--depth-scale');
    }
  }
  if (opts.depth === undefined) {
    if (opts.depthUnit !== undefined || opts.depthScale !== undefined) {
      throw new UserInputError('needs --depth', opts.depthUnit ? '--depth-unit' : '--depth-scale');
    }
    return undefined;
  }
  if (!opts.depthUnit)
    throw new UserInputError('is required with --depth (meters, relative or inverse)', '--depth-unit');
  return {
    uri: path.resolve(opts.depth),
    unit: opts.depthUnit as DepthInputUnit,
    ...(scale ? { scale } : {}),
  };
}

async function readImageFile(file: string, field: string): Promise<Buffer> {
  try {
    return await fs.readFile(file);
  } catch {
    throw new UserInputError(`cannot read ${file}`, field);
  }
}

export function registerBuildCommand(program: Command): void {
  program
    .command('build')
    .description(
      'Build a scene graph (per-object depth, layers, spatial relations) from a scene-graph JSON file or from an image',
    )
    .option('--input <scene.json>', 'scene-graph JSON v1 (objects with boxes or masks)')
    .option(
      '--image <file>',
      'an image (JPEG, PNG, WebP, TIFF...): objects from the detector, depth from the depth model',
    )
    .option(
      '--depth <file>',
      'depth map (.npy float32/float64/uint16, or 16-bit PNG); default: the scene\'s "depth" entry, or the depth model for --image',
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
    .option('--queries <list>', 'comma-separated text queries for an open-vocabulary detector (with --image)')
    .option('--out <graph.json>', 'write here instead of stdout')
    .action(async (opts: BuildCliOptions) => {
      if ((opts.input === undefined) === (opts.image === undefined)) {
        throw new UserInputError(
          'give exactly one of --input <scene.json> or --image <file>',
          opts.input ? '--image' : '--input',
        );
      }
      const depth = parseDepthOptions(opts);
      const thresholds = parseThresholds(opts.thresholds, '--thresholds');
      const intrinsics = opts.intrinsics === undefined ? undefined : parseIntrinsics(opts.intrinsics);
      const queries = parseQueries(opts.queries, '--queries');
      if (queries && !opts.image) throw new UserInputError('works with --image', '--queries');
      const build = { intrinsics, thresholds };

      const config = loadConfig();
      let source: PipelineSource;
      let baseDir: string;
      if (opts.input !== undefined) {
        source = {
          kind: 'scene',
          input: await readJsonFile(opts.input, '--input'),
          depth,
          depthField: '--depth',
        };
        baseDir = path.dirname(path.resolve(opts.input));
      } else {
        const file = path.resolve(opts.image!);
        source = {
          kind: 'image',
          bytes: await readImageFile(file, '--image'),
          uri: file,
          depth,
          depthField: '--depth',
          queries,
        };
        baseDir = path.dirname(file);
      }
      const logger = createLogger(config.logLevel);
      const inference =
        source.kind === 'image'
          ? await startInference(config, logger, { depth: depth === undefined })
          : undefined;
      let graph;
      try {
        const result = await runPipeline(source, {
          access: cliFileAccess(baseDir),
          build,
          inference,
          maxPixels: config.images.maxPixels,
        });
        graph = result.scene;
        if (source.kind === 'image' && result.depth === 'absent') {
          process.stderr.write(
            'no depth: no depth model is pulled (scenegraph models pull depth-anything-v2-small) and no --depth given; 2D relations only\n',
          );
        }
      } finally {
        await inference?.close();
      }
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
