/**
 * Reading import inputs from disk: size-bounded JSON (or JSON Lines) parsing with errors that name
 * the file, folders of per-image files (labelme), and the merge of several files' results into one
 * import with unique scene names. The importers themselves stay pure (parsed JSON in, scenes out).
 */

import { promises as fs } from 'node:fs';
import path from 'node:path';
import { importCoco } from './coco.importer';
import { FormatError } from './formatError';
import { importGrounded } from './grounded.importer';
import { SceneNames } from './importScene';
import type { Importer, ImportFormat, ImportOptions, ImportResult } from './importTypes';
import { importLabelme } from './labelme.importer';
import { IMPORT_LIMITS } from './limits';
import { importPsg } from './psg.importer';
import { importVg } from './vg.importer';

export const IMPORTERS: Readonly<Record<ImportFormat, Importer>> = {
  coco: importCoco,
  labelme: importLabelme,
  psg: importPsg,
  vg: importVg,
  grounded: importGrounded,
};

/** How errors name a file: relative to the working directory when it is below it. */
export function displayName(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}

/**
 * Parses a JSON file, or a JSON Lines file (`.jsonl`, `.ndjson`: one value per line, read as an
 * array), refusing files over IMPORT_LIMITS.maxFileBytes before reading them.
 */
export async function readJsonInput(file: string): Promise<unknown> {
  const name = displayName(file);
  let size: number;
  try {
    size = (await fs.stat(file)).size;
  } catch {
    throw new FormatError('no such file', name, '$');
  }
  if (size > IMPORT_LIMITS.maxFileBytes) {
    throw new FormatError(
      `is ${(size / 2 ** 20).toFixed(0)} MiB; at most ${IMPORT_LIMITS.maxFileBytes / 2 ** 20} MiB are read (split the file)`,
      name,
      '$',
    );
  }
  const text = await fs.readFile(file, 'utf8');
  if (/\.(jsonl|ndjson)$/i.test(file)) {
    const out: unknown[] = [];
    text.split('\n').forEach((line, i) => {
      if (line.trim() === '') return;
      try {
        out.push(JSON.parse(line));
      } catch (err) {
        throw new FormatError(`is not valid JSON (${(err as Error).message})`, name, `line ${i + 1}`);
      }
    });
    return out;
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new FormatError(`is not valid JSON (${(err as Error).message})`, name, '$');
  }
}

/** The file itself, or every *.json / *.jsonl file below a folder, sorted so runs are reproducible. */
export async function listInputFiles(target: string, option: string): Promise<string[]> {
  let stat;
  try {
    stat = await fs.stat(target);
  } catch {
    throw new FormatError('no such file or folder', displayName(target), option);
  }
  if (stat.isFile()) return [path.resolve(target)];
  const out: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    const entries = await fs.readdir(dir, { withFileTypes: true });
    for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile() && /\.(json|jsonl|ndjson)$/i.test(e.name)) out.push(path.resolve(p));
    }
  };
  await walk(target);
  return out;
}

export interface ImportFilesOptions extends Omit<ImportOptions, 'file' | 'imageUri' | 'imageData'> {
  /** The scene's image.uri for an image name found in `inputFile`. */
  imageUri?: (inputFile: string, name: string) => string;
  /** A file for options.imageData (VG image_data.json; the instances JSON of COCO results). */
  imageDataFile?: string;
  /** Called after each input file with the number of files done. */
  onFile?: (done: number, total: number) => void;
}

/**
 * Imports a file or a folder of files of one format. Scene names are unique across the files (a
 * folder of labelme files may name the same image twice).
 */
export async function importFiles(
  format: ImportFormat,
  target: string,
  options: ImportFilesOptions = {},
): Promise<ImportResult & { files: number }> {
  const files = await listInputFiles(target, 'IN');
  if (files.length === 0) throw new FormatError('holds no .json or .jsonl files', displayName(target), '$');
  const imageData = options.imageDataFile ? await readJsonInput(options.imageDataFile) : undefined;
  const merged: ImportResult = { format, scenes: [], failures: [], warnings: [] };
  const names = new SceneNames();
  let done = 0;
  for (const file of files) {
    const name = displayName(file);
    try {
      const data = await readJsonInput(file);
      const result = IMPORTERS[format](data, {
        ...options,
        file: name,
        imageData,
        imageDataFile: options.imageDataFile ? displayName(options.imageDataFile) : undefined,
        imageUri: options.imageUri ? (n) => options.imageUri!(file, n) : undefined,
      });
      for (const s of result.scenes) merged.scenes.push({ ...s, name: names.unique(s.name) });
      merged.failures.push(...result.failures);
      merged.warnings.push(...result.warnings.map((w) => (files.length > 1 ? `${name}: ${w}` : w)));
    } catch (err) {
      // A file that is unusable as a whole fails alone when it is one of several.
      if (!(err instanceof FormatError) || files.length === 1) throw err;
      merged.failures.push({ item: name, error: err });
    }
    options.onFile?.(++done, files.length);
  }
  return { ...merged, files: files.length };
}
