import { promises as fs } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { AppError, UserInputError } from '../../errors/errors';
import { importFiles, type ImportFilesOptions } from '../../formats/importFiles';
import { IMPORT_FORMATS, type ImportFormat, type ImportResult } from '../../formats/importTypes';
import { prettyJson } from '../../io/prettyJson';
import { hasScheme } from '../../pipeline/localFiles';
import type { RelationSource } from '../../scenegraph/sceneGraph.types';

/** The options `import` and `ingest --format` share. */
export interface FormatOptions {
  format: string;
  imageRoot?: string;
  imageData?: string;
  crowd?: string;
  relationSource?: string;
}

const RELATION_SOURCES = ['ANNOTATION', 'MODEL', 'HUMAN'] as const;

export function parseFormat(text: string): ImportFormat {
  if (!(IMPORT_FORMATS as readonly string[]).includes(text))
    throw new UserInputError(`must be one of ${IMPORT_FORMATS.join(', ')}; got "${text}"`, '--format');
  return text as ImportFormat;
}

/** Registers the shared options on a command (`import`, `ingest`). */
export function addFormatOptions(command: Command): Command {
  return command
    .option(
      '--image-root <dir>',
      "folder the input names its images relative to (default: the input file's folder)",
    )
    .option(
      '--image-data <file>',
      'vg: Visual Genome image_data.json (image sizes); coco: the instances JSON of a detection-results list',
    )
    .option('--crowd <mode>', 'coco: skip (default) or keep crowd annotations (iscrowd 1)')
    .option(
      '--relation-source <source>',
      `psg, vg, grounded: source of imported relations, ${RELATION_SOURCES.join(' | ')} (default ANNOTATION)`,
    );
}

/**
 * Checks the shared options against the format and turns them into importer options. `imageUri`
 * maps an image name to the uri the scene gets: relative to `relativeTo` when given (files written
 * to a folder name their image relative to themselves), else absolute.
 */
export function formatImportOptions(
  format: ImportFormat,
  opts: FormatOptions,
  relativeTo?: string,
): ImportFilesOptions {
  if (opts.imageData !== undefined && format !== 'vg' && format !== 'coco')
    throw new UserInputError('works with --format vg or coco', '--image-data');
  if (opts.crowd !== undefined && (format !== 'coco' || !['skip', 'keep'].includes(opts.crowd)))
    throw new UserInputError('must be skip or keep, with --format coco', '--crowd');
  if (
    opts.relationSource !== undefined &&
    (!['psg', 'vg', 'grounded'].includes(format) ||
      !(RELATION_SOURCES as readonly string[]).includes(opts.relationSource))
  ) {
    throw new UserInputError(
      `must be one of ${RELATION_SOURCES.join(', ')}, with --format psg, vg or grounded`,
      '--relation-source',
    );
  }
  const root = opts.imageRoot === undefined ? undefined : path.resolve(opts.imageRoot);
  return {
    imageDataFile: opts.imageData,
    crowd: opts.crowd as 'skip' | 'keep' | undefined,
    relationSource: opts.relationSource as RelationSource | undefined,
    imageUri: (inputFile, name) => {
      if (hasScheme(name) || path.isAbsolute(name)) return name;
      const file = path.resolve(root ?? path.dirname(inputFile), name);
      return relativeTo ? path.relative(relativeTo, file).split(path.sep).join('/') : file;
    },
  };
}

/** Warnings and failures on stderr; true when something failed. */
export function reportImport(result: ImportResult): boolean {
  for (const w of result.warnings) process.stderr.write(`scenegraph: warning: ${w}\n`);
  for (const f of result.failures) process.stderr.write(`scenegraph: ${f.error.message}\n`);
  return result.failures.length > 0;
}

/** Progress on stderr for long imports: a line every `every` items and at the end. */
export function progressLine(label: string, every: number): (done: number, total: number) => void {
  return (done, total) => {
    if (total >= every && (done % every === 0 || done === total))
      process.stderr.write(`${label}: ${done}/${total}\n`);
  };
}

export function registerImportCommand(program: Command): void {
  const command = program
    .command('import')
    .description(
      'Convert annotations (COCO instances, labelme, PSG, Visual Genome relationships, grounded text) into scene-graph JSON files, one per image',
    )
    .argument('<in>', 'the input file, or a folder of them (labelme: one JSON per image)')
    .requiredOption('--format <format>', IMPORT_FORMATS.join(' | '))
    .requiredOption('--out <dir>', 'output folder: <image name>.json per image');
  addFormatOptions(command).action(async (input: string, opts: FormatOptions & { out: string }) => {
    const format = parseFormat(opts.format);
    const out = path.resolve(opts.out);
    const options = formatImportOptions(format, opts, out);
    const started = Date.now();
    const result = await importFiles(format, input, {
      ...options,
      onFile: progressLine('import files', 100),
    });
    await fs.mkdir(out, { recursive: true });
    const written = progressLine('import: scenes written', 1000);
    let objects = 0;
    let relations = 0;
    for (let i = 0; i < result.scenes.length; i++) {
      const { name, scene } = result.scenes[i];
      await fs.writeFile(path.join(out, `${name}.json`), prettyJson(scene));
      objects += scene.objects.length;
      relations += scene.relations?.length ?? 0;
      written(i + 1, result.scenes.length);
    }
    const failed = reportImport(result);
    process.stdout.write(
      `imported ${result.scenes.length} image${result.scenes.length === 1 ? '' : 's'} (${objects} objects, ${relations} relations) ` +
        `from ${result.files} ${format} file${result.files === 1 ? '' : 's'} into ${opts.out} in ${((Date.now() - started) / 1000).toFixed(1)} s` +
        (result.warnings.length ? `; ${result.warnings.length} kinds of warnings on stderr` : '') +
        '\n',
    );
    if (failed) throw new AppError('BAD_USER_INPUT', `${result.failures.length} images were not imported`);
  });
}
