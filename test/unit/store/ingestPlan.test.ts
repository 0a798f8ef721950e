import {
  chunkByRelationships,
  MAX_RELATIONSHIPS_PER_TRANSACTION,
  planTransactions,
  writeConcurrently,
} from '../../../src/store/ingest.store';
import type { StoredImage } from '../../../src/store/storedScene';

/** An image with `objects` objects and `edges` typed edges: objects + edges relationships. */
function image(id: string, objects: number, edges: number): StoredImage {
  return {
    id,
    configHash: 'h',
    props: { id },
    objects: Array.from({ length: objects }, (_, k) => ({ id: `${id}/o${k}` })),
    edges: Array.from({ length: edges }, (_, k) => ({
      type: 'IN_FRONT_OF' as const,
      subject: `${id}/o0`,
      object: `${id}/o${k % objects}`,
      score: 0.5,
      k: null,
    })),
    semantic: [],
  } as unknown as StoredImage;
}

const relationships = (chunk: StoredImage[]) =>
  chunk.reduce((n, i) => n + i.objects.length + i.edges.length, 0);

describe('planTransactions', () => {
  const batch = Array.from({ length: 50 }, (_, k) => image(`i${k}`, 20, 440));

  test('one writer: consecutive runs within the cap, as chunkByRelationships gives', () => {
    expect(planTransactions(batch, 1)).toEqual(chunkByRelationships(batch));
    expect(planTransactions(batch, 1)).toHaveLength(1);
  });

  test.each([2, 3, 4, 7])(
    '%i writers: at least one transaction each, equal in size, within their share',
    (w) => {
      const plan = planTransactions(batch, w);
      expect(plan.length).toBeGreaterThanOrEqual(w);
      // Every image once, in order.
      expect(plan.flat().map((i) => i.id)).toEqual(batch.map((i) => i.id));
      const sizes = plan.map((c) => c.length);
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
      for (const c of plan)
        expect(relationships(c)).toBeLessThanOrEqual(MAX_RELATIONSHIPS_PER_TRANSACTION / w);
    },
  );

  test('a batch over the cap is split further, each share still bounded', () => {
    const big = Array.from({ length: 400 }, (_, k) => image(`b${k}`, 20, 440));
    const plan = planTransactions(big, 2);
    expect(plan.length).toBeGreaterThanOrEqual(
      Math.ceil((400 * 460) / (MAX_RELATIONSHIPS_PER_TRANSACTION / 2)),
    );
    for (const c of plan) expect(relationships(c)).toBeLessThanOrEqual(MAX_RELATIONSHIPS_PER_TRANSACTION / 2);
    expect(plan.flat()).toHaveLength(400);
  });

  test('fewer images than writers: one transaction per image; an image over the cap alone', () => {
    expect(planTransactions(batch.slice(0, 2), 8)).toEqual([[batch[0]], [batch[1]]]);
    const huge = image('huge', 20, MAX_RELATIONSHIPS_PER_TRANSACTION);
    expect(planTransactions([batch[0], huge, batch[1]], 2)).toEqual([[batch[0]], [huge], [batch[1]]]);
    expect(planTransactions([], 3)).toEqual([]);
  });
});

describe('writeConcurrently', () => {
  const tick = () => new Promise((r) => setTimeout(r, 1));

  test('keeps at most `writers` in flight and returns the results in chunk order', async () => {
    let inFlight = 0;
    let most = 0;
    const out = await writeConcurrently([5, 1, 4, 2, 3, 0, 6], 3, async (n) => {
      inFlight++;
      most = Math.max(most, inFlight);
      for (let k = 0; k < n; k++) await tick();
      inFlight--;
      return n * 10;
    });
    expect(out).toEqual([50, 10, 40, 20, 30, 0, 60]);
    expect(most).toBe(3);
  });

  test('after a failure no chunk starts; the ones in flight finish before the first error is thrown', async () => {
    const started: number[] = [];
    const finished: number[] = [];
    await expect(
      writeConcurrently([0, 1, 2, 3, 4, 5], 2, async (n) => {
        started.push(n);
        if (n === 1) throw new Error('chunk 1 failed');
        await tick();
        await tick();
        finished.push(n);
        return n;
      }),
    ).rejects.toThrow('chunk 1 failed');
    // 0 and 1 start together; 1 fails at once, so only 0 (already in flight) finishes and nothing else starts.
    expect(started).toEqual([0, 1]);
    expect(finished).toEqual([0]);
  });
});
