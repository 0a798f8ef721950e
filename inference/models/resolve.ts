import path from 'node:path';
import type { Config } from '../../src/config/config';
import { ModelError } from '../../src/errors/errors';
import type { ResolvedModel } from '../inferenceService';
import { modelStoreFromConfig } from './cache';
import { hashFile } from './checksum';
import { readManifest } from './manifest';
import type { ModelTask } from './modelSpec';

/** A model named by its folder rather than a registry name: `./my-export`, `/models/x`. */
export function isModelFolderPath(name: string): boolean {
  return name.startsWith('.') || name.includes('/') || name.includes(path.sep);
}

/**
 * A model name -> the files inference loads. A registry name goes through the model store (bundled
 * models from the repository, hub models from MODEL_DIR once pulled and verified; every file present
 * at its recorded size, the revision the registry pins). A path to a folder with a model.json (an
 * export of one's own, described like the bundled ones) is loaded as it is. Fails with a ModelError
 * that says what to run otherwise.
 */
export async function resolveForInference(
  name: string,
  config: Config,
  task: ModelTask,
): Promise<ResolvedModel> {
  let resolved: Omit<ResolvedModel, 'sha256'> & { sha256?: string };
  if (isModelFolderPath(name)) {
    const dir = path.resolve(name);
    const read = await readManifest(dir);
    if (read.kind !== 'ok') {
      throw new ModelError(
        read.kind === 'missing' ? `model folder ${dir} has no model.json` : read.reason,
        name,
      );
    }
    const model = read.manifest.files.find((f) => f.role === 'model')!;
    const file = path.join(dir, model.path);
    // One's own export may not record its checksum; provenance needs one, so it is computed here, once.
    const sha256 =
      model.sha256 ??
      (await hashFile(file).then(
        (h) => h.sha256,
        () => undefined,
      ));
    resolved = { spec: read.manifest, dir, file, sha256 };
  } else {
    const r = await modelStoreFromConfig(config).resolve(name);
    const model = r.spec.files.find((f) => f.role === 'model')!;
    resolved = {
      spec: r.spec,
      dir: r.dir,
      file: r.file,
      sha256: model.sha256,
      ...(r.provenance.commit || r.provenance.revision
        ? { revision: r.provenance.commit ?? r.provenance.revision }
        : {}),
    };
  }
  if (resolved.spec.task !== task)
    throw new ModelError(`is a ${resolved.spec.task} model, not a ${task} model`, name);
  if (!resolved.sha256) throw new ModelError(`cannot read ${resolved.file}`, name);
  return { ...resolved, sha256: resolved.sha256 };
}
