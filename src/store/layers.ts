import { layerIdFor, objectIdFor } from './ids';
import type { LayerRow } from './rows';

/**
 * How an image's depth layers live in the store (store model 5): as two string lists on the Image
 * node, not as Layer nodes with CONTAINS edges. A layer is read whole with its image and never
 * queried on its own, and the nodes and edges cost ~4 KB per 20-object image (BENCHMARKS.md, "Store
 * model 5").
 *
 * - `layerBasics`: one `index:key` per layer, in index order: the layer's index and its basic object.
 * - `layerMembers`: one `index:key` per member of every layer (the basic object among them).
 *
 * The index is digits, so the first `:` ends it; object keys may hold `:` themselves. An image
 * without layers has neither property. Layer and object ids are composed as before (ids.ts), so readers
 * see the same rows as from Layer nodes.
 */

export interface LayerProps {
  layerBasics: string[] | null;
  layerMembers: string[] | null;
}

/** The two properties for `layers` given by object key, in index order. */
export function layerProps(
  layers: readonly { index: number; basic: string; members: readonly string[] }[],
): LayerProps {
  if (layers.length === 0) return { layerBasics: null, layerMembers: null };
  const sorted = [...layers].sort((a, b) => a.index - b.index);
  return {
    layerBasics: sorted.map((l) => `${l.index}:${l.basic}`),
    layerMembers: sorted.flatMap((l) => l.members.map((m) => `${l.index}:${m}`)),
  };
}

function split(entry: string, field: string): [number, string] {
  const at = entry.indexOf(':');
  const index = at > 0 ? Number(entry.slice(0, at)) : NaN;
  if (!Number.isSafeInteger(index) || index < 0) {
    throw new Error(`stored Image.${field} entry ${JSON.stringify(entry)} is not index:key`);
  }
  return [index, entry.slice(at + 1)];
}

/** The layers of image `imageId` from its two properties, in index order, with ids as Layer nodes had them. */
export function layersFromProps(
  imageId: string,
  basics: readonly string[] | null | undefined,
  members: readonly string[] | null | undefined,
): LayerRow[] {
  if (!basics || basics.length === 0) return [];
  const byIndex = new Map<number, LayerRow>();
  for (const entry of basics) {
    const [index, key] = split(entry, 'layerBasics');
    byIndex.set(index, {
      id: layerIdFor(imageId, index),
      imageId,
      index,
      basic: objectIdFor(imageId, key),
      members: [],
    });
  }
  for (const entry of members ?? []) {
    const [index, key] = split(entry, 'layerMembers');
    byIndex.get(index)?.members.push(objectIdFor(imageId, key));
  }
  return [...byIndex.values()].sort((a, b) => a.index - b.index);
}
