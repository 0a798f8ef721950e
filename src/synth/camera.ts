import type { PinholeCamera } from './synth.types';

/**
 * The synthetic camera: level (optical axis horizontal) at 1.5 m above the ground, 60 degree
 * horizontal field of view, square pixels (fx = fy), principal point at the image centre. Level,
 * because then camera-frame y is the true vertical and "above"/"below" in the camera frame (SPEC
 * section 4) mean what a person means; the horizon is the middle image row, ground below, sky above.
 */
export const SYNTH_CAMERA_HEIGHT_M = 1.5;
export const SYNTH_HFOV_DEG = 60;

export function makeCamera(width: number, height: number): PinholeCamera {
  const fx = width / 2 / Math.tan(((SYNTH_HFOV_DEG / 2) * Math.PI) / 180);
  return {
    width,
    height,
    fx,
    fy: fx,
    cx: width / 2,
    cy: height / 2,
    heightM: SYNTH_CAMERA_HEIGHT_M,
    hfovDeg: SYNTH_HFOV_DEG,
  };
}

/** tan of half the horizontal field of view: |x| / z at the left and right image edges. */
export function tanHalfHfov(camera: PinholeCamera): number {
  return camera.width / 2 / camera.fx;
}
