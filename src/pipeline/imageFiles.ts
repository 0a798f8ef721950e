import { promises as fs } from 'node:fs';
import path from 'node:path';
import { UserInputError } from '../errors/errors';
import { isImageFile } from './pipeline';

/** Most images one command takes; a bigger collection is ingested in several runs (or from a list per part). */
export const MAX_IMAGE_FILES = 1_000_000;

/**
 * The images under a path: the file itself; every image file below a folder (sorted, so runs are
 * reproducible); or, for a `.txt` file, the paths it lists, one per line (blank lines and `#`
 * comments skipped, relative paths against the list's folder).
 */
export async function listImageFiles(target: string, field: string): Promise<string[]> {
  let stat;
  try {
    stat = await fs.stat(target);
  } catch {
    throw new UserInputError(`no such file or folder: ${target}`, field);
  }
  const resolved = path.resolve(target);
  let files: string[];
  if (stat.isFile() && path.extname(target).toLowerCase() === '.txt') {
    const text = await fs.readFile(resolved, 'utf8');
    files = text
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'))
      .map((l) => path.resolve(path.dirname(resolved), l));
  } else if (stat.isFile()) {
    files = [resolved];
  } else {
    files = [];
    const walk = async (dir: string): Promise<void> => {
      const entries = await fs.readdir(dir, { withFileTypes: true });
      for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) await walk(p);
        else if (e.isFile() && isImageFile(e.name)) files.push(p);
        if (files.length > MAX_IMAGE_FILES)
          throw new UserInputError(`more than ${MAX_IMAGE_FILES} images`, field);
      }
    };
    await walk(resolved);
  }
  if (files.length === 0) throw new UserInputError(`no image files under ${target}`, field);
  if (files.length > MAX_IMAGE_FILES) throw new UserInputError(`more than ${MAX_IMAGE_FILES} images`, field);
  return files;
}
