import path from 'node:path';
import type { Config } from '../../src/config/config';
import { ModelError } from '../../src/errors/errors';
import type { ResolvedModel } from '../inferenceService';
import { ModelNotPulledError, ModelUnusableError } from './errors';
import { readManifest } from './manifest';
import type { ModelTask } from './modelSpec';
import { getModel } from './registry';

/** The repository root (bundled models live in folders relative to it). */
export const PROJECT_ROOT = path.resolve(
  __dirname,
  '..',
  '..',
  ...(__dirname.includes(`${path.sep}dist${path.sep}`) ? ['..'] : []),
);

/**
 * A registry name -> the files inference loads: a bundled model from its folder in the repository, a
 * hub model from MODEL_DIR/<name>/ once `scenegraph models pull` (or `verify` of files placed by hand)
 * has written its verified model.json. Fails with a ModelError that says what to run otherwise.
 */
export async function resolveForInference(
  name: string,
  config: Config,
  task: ModelTask,
): Promise<ResolvedModel> {
  const entry = getModel(name);
  const dir =
    entry.kind === 'bundled' ? path.join(PROJECT_ROOT, entry.dir) : path.join(config.modelDir, name);
  const read = await readManifest(dir);
  if (read.kind === 'missing') {
    if (entry.kind === 'hub') throw new ModelNotPulledError(name);
    throw new ModelError(`bundled model folder ${dir} has no model.json`, name);
  }
  if (read.kind === 'invalid') {
    throw new ModelUnusableError(name, [read.reason], `run \`scenegraph models verify ${name}\``);
  }
  const spec = read.manifest;
  if (spec.task !== task) throw new ModelError(`is a ${spec.task} model, not a ${task} model`, name);
  const model = spec.files.find((f) => f.role === 'model')!;
  return {
    spec,
    dir,
    file: path.join(dir, model.path),
    sha256: model.sha256 ?? 'unknown',
    ...(spec.pulled ? { revision: spec.pulled.commit ?? spec.pulled.revision } : {}),
  };
}
