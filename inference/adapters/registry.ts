import { UnreachableCaseError } from '../../src/errors/errors';
import type { ModelSpec } from '../models/modelSpec';
import type { ModelAdapter } from './adapter';
import { CenterNetAdapter } from './centernet';
import { DepthAnythingAdapter } from './depthAnything';
import { Owlv2Adapter } from './owlv2';

/** A fresh adapter for a model (adapters may hold per-worker state such as a tokenizer). */
export function createAdapter(spec: ModelSpec): ModelAdapter<unknown, unknown> {
  const arch = spec.architecture;
  switch (arch) {
    case 'depth-anything-v2':
      return new DepthAnythingAdapter() as ModelAdapter<unknown, unknown>;
    case 'owlv2':
      return new Owlv2Adapter() as ModelAdapter<unknown, unknown>;
    case 'centernet':
      return new CenterNetAdapter() as ModelAdapter<unknown, unknown>;
    default:
      throw new UnreachableCaseError(arch);
  }
}
