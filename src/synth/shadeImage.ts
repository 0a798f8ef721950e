import { GROUND, SKY, WALL, type Raster } from './raster';
import type { PinholeCamera, Rgb, SynthObject } from './synth.types';

/**
 * Colours the raster: objects in their flat colour times Lambert shading; the ground a grey-brown
 * 1 m checkerboard fading into haze with distance (a perspective cue for monocular depth models);
 * the sky a blue gradient. Objects' colours are saturated (see layout.ts), so they do not blend into
 * either background.
 */
const GROUND_RGB: Rgb = [122, 112, 96];
const CHECKER_DELTA = 10;
const HAZE_RGB: Rgb = [196, 206, 218];
const HAZE_DISTANCE_M = 60;
const SKY_TOP_RGB: Rgb = [92, 146, 220];
const SKY_HORIZON_RGB: Rgb = [186, 210, 236];
/** The back wall (scenario `wall`): pale plaster with 1 m panels, hazed like the ground. */
const WALL_RGB: Rgb = [214, 200, 176];
// Module constants, not Math.* in the pixel loop: see the note in raster.ts.
const { exp, floor, min, round } = Math;

export function shadeImage(
  camera: PinholeCamera,
  raster: Raster,
  objects: readonly SynthObject[],
): Uint8Array {
  const { width, height, fx, cx, cy } = camera;
  const colorOf = new Map(objects.map((o) => [o.uid, o.color]));
  const rgb = new Uint8Array(width * height * 3);
  for (let v = 0; v < height; v++) {
    const skyMix = min(1, (v + 0.5) / cy);
    for (let u = 0; u < width; u++) {
      const p = v * width + u;
      const id = raster.ids[p];
      let r: number;
      let g: number;
      let b: number;
      if (id === SKY) {
        r = lerp(SKY_TOP_RGB[0], SKY_HORIZON_RGB[0], skyMix);
        g = lerp(SKY_TOP_RGB[1], SKY_HORIZON_RGB[1], skyMix);
        b = lerp(SKY_TOP_RGB[2], SKY_HORIZON_RGB[2], skyMix);
      } else if (id === WALL) {
        const z = raster.zbuf[p];
        const x = (z * (u + 0.5 - cx)) / fx;
        const panel = floor(x) & 1 ? CHECKER_DELTA : -CHECKER_DELTA;
        const haze = 1 - exp(-z / HAZE_DISTANCE_M);
        r = lerp(WALL_RGB[0] + panel, HAZE_RGB[0], haze);
        g = lerp(WALL_RGB[1] + panel, HAZE_RGB[1], haze);
        b = lerp(WALL_RGB[2] + panel, HAZE_RGB[2], haze);
      } else if (id === GROUND) {
        const z = raster.zbuf[p];
        const x = (z * (u + 0.5 - cx)) / fx;
        const checker = (floor(x) + floor(z)) & 1 ? CHECKER_DELTA : -CHECKER_DELTA;
        const haze = 1 - exp(-z / HAZE_DISTANCE_M);
        r = lerp(GROUND_RGB[0] + checker, HAZE_RGB[0], haze);
        g = lerp(GROUND_RGB[1] + checker, HAZE_RGB[1], haze);
        b = lerp(GROUND_RGB[2] + checker, HAZE_RGB[2], haze);
      } else {
        const c = colorOf.get(id);
        if (!c) throw new Error(`raster shows object ${id}, which is not in the layout`);
        const s = raster.shade[p];
        r = c[0] * s;
        g = c[1] * s;
        b = c[2] * s;
      }
      rgb[p * 3] = round(r);
      rgb[p * 3 + 1] = round(g);
      rgb[p * 3 + 2] = round(b);
    }
  }
  return rgb;
}

function lerp(a: number, b: number, t: number): number {
  return a + (b - a) * t;
}
