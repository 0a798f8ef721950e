/**
 * The requests the fault, load and shutdown scenarios send: the read queries people run (spatial,
 * pattern search, listing, one image) and scene-graph ingests of seeded synthetic scenes.
 */

import { syntheticScene } from '../storeData';
import { SCENE_OBJECTS } from './crash';
import { gql, type GqlResponse } from './harness';

export type ReadKind = 'objectsInFrontOf' | 'searchImages' | 'images' | 'image';
export const READ_KINDS: readonly ReadKind[] = ['objectsInFrontOf', 'searchImages', 'images', 'image'];

const LABELS = ['person', 'car', 'chair', 'tree', 'table', 'cup', 'dog'];

const QUERIES: Record<ReadKind, string> = {
  objectsInFrontOf: `query($label: String!) { objectsInFrontOf(label: $label, first: 20) {
    edges { node { id label depth { p5 p95 } } reference { label } image { id } score } pageInfo { endCursor } } }`,
  searchImages: `query($s: String!, $o: String!) { searchImages(first: 10,
    pattern: [{subject: $s, predicate: "in front of", object: $o}, {subject: $s, predicate: "left of", object: "tree"}]) {
    edges { score node { id uri } matches { predicate subject { label } object { label } } } } }`,
  images: `query($after: String) { images(first: 20, after: $after) {
    edges { node { id uri objectCount } } pageInfo { hasNextPage endCursor } } }`,
  image: `query($id: ID!) { image(id: $id) { id uri width height objectCount
    objects { key label box depth { p50 } } layers { index } } }`,
};

export const INGEST = `mutation($g: JSONObject!) { ingestSceneGraph(input: $g) { status image { id objectCount } } }`;
export const IMAGE_BY_ID = `query($id: ID!) { image(id: $id) { id uri objectCount } }`;

/** One read of `kind`; `ids` are known image ids for `image(id:)`. */
export function read(
  url: string,
  kind: ReadKind,
  random: () => number,
  ids: readonly string[],
): Promise<GqlResponse> {
  const label = LABELS[Math.floor(random() * LABELS.length)];
  switch (kind) {
    case 'objectsInFrontOf':
      return gql(url, QUERIES[kind], { label });
    case 'searchImages':
      return gql(url, QUERIES[kind], { s: label, o: LABELS[Math.floor(random() * LABELS.length)] });
    case 'images':
      return gql(url, QUERIES[kind], {});
    case 'image':
      return gql(url, QUERIES[kind], { id: ids.length ? ids[Math.floor(random() * ids.length)] : 'none' });
  }
}

/** Synthetic scene i (stored geometry, SCENE_OBJECTS objects) under the URI prefix. */
export function sceneFor(
  prefix: string,
  i: number,
  seed: number,
): { scene: object; uri: string; objects: number } {
  const scene = syntheticScene(i, seed);
  scene.objects = scene.objects.slice(0, SCENE_OBJECTS);
  scene.image.uri = `${prefix}${i}.jpg`;
  return { scene, uri: scene.image.uri, objects: scene.objects.length };
}

export interface IngestAttempt {
  index: number;
  uri: string;
  objects: number;
  /** HTTP 200 with data: the service said it is stored. */
  acknowledged: boolean;
  imageId?: string;
  outcome: string;
  at: number;
}

export function acknowledged(r: GqlResponse): { id: string; objectCount: number } | undefined {
  const d = r.data?.ingestSceneGraph as { image?: { id: string; objectCount: number } } | null | undefined;
  return r.status === 200 && !r.errors?.length && d?.image ? d.image : undefined;
}
