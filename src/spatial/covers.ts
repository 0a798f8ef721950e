/**
 * Algorithm 1 of LLaVA-SpaceSGG: with depth ranges Ra = [a0, a1] and Rb = [b0, b1], "A covers B" iff
 * a0 < b0 and a1 > b1, i.e. A's range strictly encloses B's (a table covers the cup standing on it: the
 * table starts nearer and ends farther than the cup).
 *
 * Tolerance t >= 0 widens this: A also covers B when a0 < b0 + t and a1 > b1 - t (A reaches within t of
 * enclosing B at each end) and A's range is strictly longer than B's. The length condition is what keeps
 * the widened relation a strict order: without it two near-identical ranges would cover each other, and
 * then neither could be a basic object and both would drop out of the layers. Since a cover chain
 * always shortens (or, for strict enclosure, never lengthens), no cycles can form and the shortest range
 * is always basic. At t = 0 only the paper's strict enclosure holds (tested exactly against it); t
 * is in the depth map's unit.
 */

export type DepthInterval = readonly [near: number, far: number];

export function covers(a: DepthInterval, b: DepthInterval, tolerance = 0): boolean {
  if (a[0] < b[0] && a[1] > b[1]) return true;
  return tolerance > 0 && a[0] < b[0] + tolerance && a[1] > b[1] - tolerance && a[1] - a[0] > b[1] - b[0];
}

/** The whole relation at once: `matrix[i * n + j] === 1` iff ranges[i] covers ranges[j]. */
export function coverMatrix(ranges: readonly DepthInterval[], tolerance = 0): Uint8Array {
  const n = ranges.length;
  const matrix = new Uint8Array(n * n);
  for (let i = 0; i < n; i++) {
    const a = ranges[i];
    for (let j = 0; j < n; j++) {
      if (i !== j && covers(a, ranges[j], tolerance)) matrix[i * n + j] = 1;
    }
  }
  return matrix;
}
