import { promises as fs } from 'node:fs';
import path from 'node:path';
import { UserInputError } from '../errors/errors';
import { parseJsonText } from '../scenegraph/jsonInput';
import { SCENE_LIMITS } from '../scenegraph/sceneLimits';

/**
 * The scene-graph files under a path: the file itself, or every `*.json` below a folder (sorted, so
 * runs are reproducible). Files that are not scene graphs (e.g. the `truth.json` next to synthetic
 * scenes) are recognised by their content and skipped by the caller.
 */
export async function listSceneFiles(target: string): Promise<string[]> {
  let stat;
  try {
    stat = await fs.stat(target);
  } catch {
    throw new UserInputError(`no such file or folder: ${target}`, '--scenes');
  }
  if (stat.isFile()) return [path.resolve(target)];
  const out: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    const entries = await fs.readdir(dir, { withFileTypes: true });
    for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile() && e.name.endsWith('.json')) out.push(path.resolve(p));
    }
  };
  await walk(target);
  return out;
}

/**
 * Parses a file; `undefined` when it is JSON but clearly not a scene graph. The file must be UTF-8
 * JSON without repeated member names, nested within SCENE_LIMITS.maxJsonDepth and at most
 * SCENE_LIMITS.maxSceneFileBytes long (src/scenegraph/jsonInput.ts).
 */
export async function readSceneFile(file: string): Promise<unknown> {
  const { size } = await fs.stat(file);
  if (size > SCENE_LIMITS.maxSceneFileBytes) {
    throw new UserInputError(
      `is ${size} bytes; a scene-graph file may have at most ${SCENE_LIMITS.maxSceneFileBytes}`,
      file,
    );
  }
  const parsed = parseJsonText(await fs.readFile(file), file);
  const looksLikeScene =
    typeof parsed === 'object' && parsed !== null && 'image' in parsed && 'objects' in parsed;
  return looksLikeScene ? parsed : undefined;
}
