import { createHash } from 'node:crypto';
import { SPATIAL_ENGINE_VERSION } from '../spatial/engine';
import { canonicalJson } from '../store/storedScene';
import type { PipelineOptions, ImageSource } from './pipeline';

/**
 * Everything that decides the graph an image becomes (its name aside: the same bytes under two names
 * are one image): its bytes, the objects it was given or the
 * detector (by sha256) and queries or the MLLM (model, endpoint, prompt), the depth file or model, the engine version and build options.
 * Equal keys mean an equal graph, so a re-run can skip an image stored under the same key without
 * decoding it or running a model.
 */
export function inputKeyFor(source: ImageSource, sha256: string, opts: PipelineOptions): string {
  const inference = opts.inference;
  const mllm = source.objects ? undefined : opts.mllm;
  const parts = {
    image: sha256,
    objects: source.objects ?? null,
    detector: source.objects || mllm ? null : (inference?.detector ?? null),
    queries: source.objects || mllm ? null : (source.queries ?? null),
    // Only when used, so the keys of graphs made without an MLLM stay what they were.
    ...(mllm ? { mllm: mllm.provenance } : {}),
    depth: source.depth ?? (inference?.depth ? { model: inference.depth.sha256 } : null),
    engine: SPATIAL_ENGINE_VERSION,
    build: opts.build ?? null,
  };
  return createHash('sha256').update(canonicalJson(parts)).digest('hex').slice(0, 32);
}
