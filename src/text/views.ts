/**
 * Multi-view reading of spatial relations (SpaceSGG-QA multi-view questions): how a relation seen from
 * the camera reads for a viewer standing elsewhere around the scene. All viewers stand on the floor
 * plane and look horizontally across the scene, so above/below never change; only the four
 * floor-plane predicates rotate. Viewpoints, in the camera frame (x right, z forward, away from the
 * camera):
 *
 * - `back`: standing on the far side of the scene, facing the camera (looking along -z).
 * - `left`: standing at the image-left side of the scene, looking toward the image-right (along +x).
 * - `right`: standing at the image-right side of the scene, looking toward the image-left (along -x).
 *
 * The mapping (camera reading -> viewer reading), a 90-degree rotation per step, so that reading from
 * `left` twice equals reading from `back`:
 *
 * | camera       | left side    | right side   | back        |
 * |--------------|--------------|--------------|-------------|
 * | in front of  | right of     | left of      | behind      |
 * | behind       | left of      | right of     | in front of |
 * | left of      | in front of  | behind       | right of    |
 * | right of     | behind       | in front of  | left of     |
 *
 * Why `left`: facing +x, the camera (the near side of the scene) is on the viewer's right, so what
 * is nearer the camera is to the viewer's right; what is at the image-left is nearer the viewer, so
 * it is in front.
 */

import { BEHIND, FRONT, LEFT, RIGHT } from './predicates';

export type ViewPoint = 'back' | 'left' | 'right';

export const VIEW_POINTS: readonly ViewPoint[] = ['back', 'left', 'right'];

type FloorPredicate = typeof FRONT | typeof BEHIND | typeof LEFT | typeof RIGHT;

export const VIEW_MAPPING: Readonly<Record<ViewPoint, Readonly<Record<FloorPredicate, FloorPredicate>>>> = {
  left: { [FRONT]: RIGHT, [BEHIND]: LEFT, [LEFT]: FRONT, [RIGHT]: BEHIND },
  right: { [FRONT]: LEFT, [BEHIND]: RIGHT, [LEFT]: BEHIND, [RIGHT]: FRONT },
  back: { [FRONT]: BEHIND, [BEHIND]: FRONT, [LEFT]: RIGHT, [RIGHT]: LEFT },
};

export function isFloorPredicate(predicate: string): predicate is FloorPredicate {
  return predicate === FRONT || predicate === BEHIND || predicate === LEFT || predicate === RIGHT;
}

/** The predicate as the viewer at `view` reads it; predicates off the floor plane are unchanged. */
export function readFromView(predicate: string, view: ViewPoint): string {
  return isFloorPredicate(predicate) ? VIEW_MAPPING[view][predicate] : predicate;
}

/** "from the back of the scene", used in questions and answers. */
export const VIEW_PHRASES: Readonly<Record<ViewPoint, { place: string; short: string }>> = {
  back: { place: 'at the back of the scene, facing the camera', short: 'from the back' },
  left: {
    place: 'at the left side of the scene, looking across it to the right',
    short: 'from the left side',
  },
  right: {
    place: 'at the right side of the scene, looking across it to the left',
    short: 'from the right side',
  },
};
