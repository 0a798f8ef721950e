import type { Raster } from './raster';

/**
 * Exact occlusion between the listed objects, from the per-object hit depths the raster kept.
 *
 * - `hidden[i * n + j]`: pixels where object j's surface is on the ray but object i is what the
 *   image shows there: i visibly hides that much of j.
 * - `nearer[i * n + j]`: true when, on at least one pixel ray, i's surface comes before j's, even if a
 *   third object hides both there. Where `hidden` is 0 but `nearer` is true, "i occludes j" is a
 *   matter of definition, and ground truth marks it ambiguous.
 */
export interface Occlusion {
  n: number;
  hidden: Int32Array;
  nearer: Uint8Array;
}

export function measureOcclusion(raster: Raster, uids: readonly number[]): Occlusion {
  const n = uids.length;
  const index = new Map(uids.map((u, i) => [u, i]));
  const hidden = new Int32Array(n * n);
  const nearer = new Uint8Array(n * n);
  const width = raster.width;

  for (let j = 0; j < n; j++) {
    const hj = raster.hits.get(uids[j]);
    if (!hj) throw new Error(`no hits recorded for object ${uids[j]}`);
    for (let y = 0, k = 0; y < hj.h; y++) {
      for (let x = 0; x < hj.w; x++, k++) {
        if (hj.t[k] !== hj.t[k]) continue; // NaN: the ray misses j (no global lookup in the pixel loop, see raster.ts)
        const shown = raster.ids[(hj.y0 + y) * width + hj.x0 + x];
        if (shown === uids[j]) continue;
        const i = index.get(shown);
        if (i !== undefined) hidden[i * n + j]++;
      }
    }
  }
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      let ij = hidden[i * n + j] > 0;
      let ji = hidden[j * n + i] > 0;
      if (!ij || !ji) {
        const [a, b] = nearerAnywhere(raster, uids[i], uids[j]);
        ij ||= a;
        ji ||= b;
      }
      nearer[i * n + j] = ij ? 1 : 0;
      nearer[j * n + i] = ji ? 1 : 0;
    }
  }
  return { n, hidden, nearer };
}

/** Whether a's surface precedes b's on some pixel ray, and the other way round. */
function nearerAnywhere(raster: Raster, a: number, b: number): [boolean, boolean] {
  const ha = raster.hits.get(a);
  const hb = raster.hits.get(b);
  if (!ha || !hb) return [false, false];
  const x0 = Math.max(ha.x0, hb.x0);
  const x1 = Math.min(ha.x0 + ha.w, hb.x0 + hb.w);
  const y0 = Math.max(ha.y0, hb.y0);
  const y1 = Math.min(ha.y0 + ha.h, hb.y0 + hb.h);
  let ab = false;
  let ba = false;
  for (let y = y0; y < y1 && !(ab && ba); y++) {
    for (let x = x0; x < x1; x++) {
      const ta = ha.t[(y - ha.y0) * ha.w + (x - ha.x0)];
      const tb = hb.t[(y - hb.y0) * hb.w + (x - hb.x0)];
      if (ta < tb) ab = true;
      else if (tb < ta) ba = true;
    }
  }
  return [ab, ba];
}
