import { promises as fs } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { UserInputError } from '../../errors/errors';
import { displayName, listInputFiles, readJsonInput } from '../../formats/importFiles';
import { JsonReader } from '../../formats/formatError';
import { SceneNames } from '../../formats/importScene';
import { exportPsg } from '../../formats/psg.exporter';
import { exportSceneGraph } from '../../formats/sceneGraph.exporter';
import { prettyJson } from '../../io/prettyJson';
import type { RelationSource, SceneGraph } from '../../scenegraph/sceneGraph.types';
import { loadConfig } from '../../config/config';
import { connect } from '../../db/connect';
import { createLogger } from '../../log/logger';
import { groundTruthScene, REVIEW_LIMITS, reviewedImagesPage } from '../../store/review.store';

const EXPORT_FORMATS = ['psg', 'scenegraph'] as const;
const SOURCES: readonly RelationSource[] = ['GEOMETRY', 'MODEL', 'ANNOTATION', 'HUMAN'];

interface ExportOptions {
  format: string;
  out: string;
  classes?: string;
  sources?: string;
  reviewed?: boolean;
  uriPrefix?: string;
}

/**
 * `--reviewed`: the store's reviewed images with the relations people confirmed as their relations
 * (ground truth, src/store/review.store.ts), read a page at a time. scenegraph: one file per image,
 * named by its image id, written as each page arrives.
 */
async function readReviewed(
  uriPrefix: string | undefined,
  onScene: (id: string, scene: SceneGraph) => Promise<void>,
): Promise<{ images: number; dropped: number }> {
  const config = loadConfig();
  const conn = await connect(config, createLogger(config.logLevel));
  let images = 0;
  let dropped = 0;
  try {
    let after: string | undefined;
    do {
      const page = await reviewedImagesPage(conn.db, REVIEW_LIMITS.pageSize, after, uriPrefix);
      for (const image of page.images) {
        const gt = groundTruthScene(image);
        dropped += gt.dropped;
        images++;
        await onScene(image.id, exportSceneGraph(gt.scene, `store image ${image.id}`));
      }
      after = page.next;
    } while (after !== undefined);
  } finally {
    await conn.db.close();
  }
  if (dropped > 0) {
    process.stderr.write(
      `scenegraph: warning: left out ${dropped} confirmed relations whose objects are no longer stored\n`,
    );
  }
  return { images, dropped };
}

function parseSources(text: string | undefined): RelationSource[] | undefined {
  if (text === undefined) return undefined;
  const list = text.split(',').map((s) => s.trim().toUpperCase());
  const bad = list.find((s) => !(SOURCES as readonly string[]).includes(s));
  if (bad !== undefined || list.length === 0)
    throw new UserInputError(
      `must be a comma-separated subset of ${SOURCES.join(',')}; got "${text}"`,
      '--sources',
    );
  return list as RelationSource[];
}

/** A PSG file's class lists, for indexing labels the way that file does. */
async function readClasses(file: string): Promise<{ thing: string[]; stuff: string[] }> {
  const r: JsonReader = new JsonReader(displayName(file));
  const root = r.record(await readJsonInput(file), '$');
  const list = (v: unknown, at: string) => r.array(v, at).map((c, i) => r.string(c, `${at}[${i}]`));
  return {
    thing: list(root.thing_classes, 'thing_classes'),
    stuff: list(root.stuff_classes ?? [], 'stuff_classes'),
  };
}

/** Scene-graph files under the inputs, each validated; JSON files that are not scene graphs are skipped. */
async function readScenes(inputs: string[]): Promise<{ name: string; file: string; scene: SceneGraph }[]> {
  const names = new SceneNames();
  const out: { name: string; file: string; scene: SceneGraph }[] = [];
  for (const input of inputs) {
    for (const file of await listInputFiles(input, 'IN')) {
      const data = await readJsonInput(file);
      const looksLikeScene =
        typeof data === 'object' && data !== null && 'image' in data && 'objects' in data;
      if (!looksLikeScene) continue;
      out.push({
        name: names.allocate(path.basename(file)),
        file,
        scene: exportSceneGraph(data, displayName(file)),
      });
    }
  }
  return out;
}

export function registerExportCommand(program: Command): void {
  program
    .command('export')
    .description(
      'Export scene-graph JSON files as PSG-style relations JSON, or as normalised scene-graph JSON v1',
    )
    .argument('[in...]', 'scene-graph JSON files or folders of them (none with --reviewed)')
    .requiredOption('--format <format>', 'psg (one JSON file) | scenegraph (a folder, one file per scene)')
    .requiredOption('--out <path>', 'psg: the output file; scenegraph: the output folder')
    .option('--classes <psg.json>', "psg: index labels into this PSG file's thing_classes + stuff_classes")
    .option('--sources <list>', `psg: only relations of these sources (${SOURCES.join(',')}); default all`)
    .option(
      '--reviewed',
      'from the store instead of files: every reviewed image with the relations people confirmed (ground truth for eval)',
    )
    .option('--uri-prefix <U>', 'with --reviewed: only images whose stored URI starts with U')
    .action(async (inputs: string[], opts: ExportOptions) => {
      if (opts.uriPrefix !== undefined && !opts.reviewed)
        throw new UserInputError('works with --reviewed', '--uri-prefix');
      if (!(EXPORT_FORMATS as readonly string[]).includes(opts.format))
        throw new UserInputError(
          `must be one of ${EXPORT_FORMATS.join(', ')}; got "${opts.format}"`,
          '--format',
        );
      if (opts.format !== 'psg' && (opts.classes || opts.sources))
        throw new UserInputError('works with --format psg', opts.classes ? '--classes' : '--sources');
      const sources = parseSources(opts.sources);
      const classes = opts.classes ? await readClasses(opts.classes) : undefined;
      if (opts.reviewed && inputs.length > 0) {
        throw new UserInputError('reads the store; give no input files with it', '--reviewed');
      }
      if (!opts.reviewed && inputs.length === 0)
        throw new UserInputError('give scene-graph files or folders', 'IN');
      let scenes: { name: string; scene: SceneGraph }[];
      if (opts.reviewed) {
        scenes = [];
        if (opts.format === 'scenegraph') {
          await fs.mkdir(opts.out, { recursive: true });
          const done = await readReviewed(opts.uriPrefix, (id, scene) =>
            fs.writeFile(path.join(opts.out, `${id}.json`), prettyJson(scene)),
          );
          if (done.images === 0)
            throw new UserInputError('the store has no reviewed relations', '--reviewed');
          process.stdout.write(`exported ${done.images} reviewed scene graphs to ${opts.out}\n`);
          return;
        }
        await readReviewed(opts.uriPrefix, async (id, scene) => {
          scenes.push({ name: id, scene });
        });
        if (scenes.length === 0)
          throw new UserInputError('the store has no reviewed relations', '--reviewed');
      } else {
        scenes = await readScenes(inputs);
      }
      if (scenes.length === 0) throw new UserInputError('no scene-graph JSON files found', 'IN');
      if (opts.format === 'scenegraph') {
        await fs.mkdir(opts.out, { recursive: true });
        for (const s of scenes)
          await fs.writeFile(path.join(opts.out, `${s.name}.json`), prettyJson(s.scene));
        process.stdout.write(`exported ${scenes.length} scene graphs to ${opts.out}\n`);
        return;
      }
      const result = exportPsg(scenes, { classes, sources });
      for (const w of result.warnings) process.stderr.write(`scenegraph: warning: ${w}\n`);
      await fs.mkdir(path.dirname(path.resolve(opts.out)), { recursive: true });
      await fs.writeFile(opts.out, `${JSON.stringify(result.file)}\n`);
      process.stdout.write(
        `exported ${scenes.length} images, ${result.relations} relations as PSG json to ${opts.out}\n`,
      );
    });
}
