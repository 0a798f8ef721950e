/** Ids of the stored nodes and of the layers inside an image (imageIdFor, storedScene.ts, names the image). */

/** An object's id: its image's id and its key in the scene. */
export function objectIdFor(imageId: string, key: string): string {
  return `${imageId}:${key}`;
}

/** A depth layer's id: its image's id and its index. */
export function layerIdFor(imageId: string, index: number): string {
  return `${imageId}#${index}`;
}
