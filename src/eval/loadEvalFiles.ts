/**
 * Reading evaluation inputs from disk (the only I/O of src/eval). Every problem is a UserInputError
 * naming the option, the file and, inside it, the JSON path or line.
 */

import { promises as fs } from 'node:fs';
import path from 'node:path';
import { UserInputError } from '../errors/errors';
import { listSceneFiles } from '../ingest/sceneFiles';
import { EVAL_LIMITS } from './evalLimits';
import type { JsonEntry } from './qaInput';

async function readText(file: string, option: string): Promise<string> {
  let size: number;
  try {
    size = (await fs.stat(file)).size;
  } catch {
    throw new UserInputError(`cannot read ${file}`, option);
  }
  if (size > EVAL_LIMITS.maxFileBytes) {
    throw new UserInputError(
      `${file} is ${size} bytes; files up to ${EVAL_LIMITS.maxFileBytes} bytes are read (split it, or use a folder of files)`,
      option,
    );
  }
  try {
    return await fs.readFile(file, 'utf8');
  } catch {
    throw new UserInputError(`cannot read ${file}`, option);
  }
}

/**
 * A JSON file's entries: the elements of a top-level array ("f.json: [3]"), or the one value. A file
 * that is not one JSON document but one per line (JSON Lines, `.jsonl`) gives one entry per line
 * ("f.jsonl: line 7"); blank lines are skipped.
 */
export async function readJsonEntries(file: string, option: string): Promise<JsonEntry[]> {
  const text = await readText(file, option);
  let whole: unknown;
  let error: Error | undefined;
  if (path.extname(file).toLowerCase() !== '.jsonl') {
    try {
      whole = JSON.parse(text);
    } catch (err) {
      error = err as Error;
    }
    if (error === undefined) {
      return Array.isArray(whole)
        ? whole.map((value, i) => ({ value, path: `${file}: [${i}]` }))
        : [{ value: whole, path: file }];
    }
  }
  const lines = text.split(/\r?\n/);
  const entries: JsonEntry[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].trim() === '') continue;
    try {
      entries.push({ value: JSON.parse(lines[i]), path: `${file}: line ${i + 1}` });
    } catch (err) {
      // A file whose first line is no JSON either was meant as one document: report that error.
      const reason = entries.length === 0 && error ? error.message : (err as Error).message;
      const where = entries.length === 0 && error ? '' : ` (line ${i + 1})`;
      throw new UserInputError(`${file} is not valid JSON${where}: ${reason}`, option);
    }
  }
  if (entries.length === 0) throw new UserInputError(`${file} holds no JSON`, option);
  return entries;
}

export interface LoadedGraphs {
  graphs: unknown[];
  /** Where each graph came from: "gt.json", "gt.json: [3]". */
  sources: string[];
  /** JSON files in a folder that are not scene graphs (e.g. synth's truth.json), skipped. */
  skippedFiles: string[];
}

const looksLikeScene = (v: unknown): boolean =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && 'image' in v && 'objects' in v;

/** Scene graphs from a file (one graph or an array of them) or a folder of `*.json` files. */
export async function loadSceneGraphs(target: string, option: string): Promise<LoadedGraphs> {
  let isFolder: boolean;
  try {
    isFolder = (await fs.stat(target)).isDirectory();
  } catch {
    throw new UserInputError(`no such file or folder: ${target}`, option);
  }
  const files = isFolder
    ? (await listSceneFiles(target)).map((f) => path.relative(process.cwd(), f) || f)
    : [target];
  const out: LoadedGraphs = { graphs: [], sources: [], skippedFiles: [] };
  for (const file of files) {
    const entries = await readJsonEntries(file, option);
    const whole = entries.length === 1 && entries[0].path === file;
    if (whole && !looksLikeScene(entries[0].value)) {
      if (isFolder) {
        out.skippedFiles.push(file);
        continue;
      }
      throw new UserInputError(
        `${file} is neither a scene graph ({version, image, objects, relations}) nor a JSON array of them`,
        option,
      );
    }
    for (const e of entries) {
      out.graphs.push(e.value);
      out.sources.push(e.path);
      if (out.graphs.length > EVAL_LIMITS.maxImages) {
        throw new UserInputError(`more than ${EVAL_LIMITS.maxImages} scene graphs`, option);
      }
    }
  }
  if (out.graphs.length === 0) throw new UserInputError(`no scene graphs in ${target}`, option);
  return out;
}
