import { describe, expect, it } from 'vitest';
import { randomIds } from '../../src/platform/ids.js';

/** Object ids (src/platform/ids.ts): GUIDs to every client, time-ordered so new rows share index pages. */
describe('object ids', () => {
  const GUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

  it('are version-7 GUIDs, never repeated, across many refills of their random pool', () => {
    const ids = Array.from({ length: 20_000 }, () => randomIds.objectId());
    for (const id of ids) expect(id).toMatch(GUID_V7);
    expect(new Set(ids).size).toBe(ids.length);
    // The random part differs too, not only a counter: two ids of the same millisecond share no tail.
    expect(new Set(ids.map((id) => id.slice(24))).size).toBe(ids.length);
  });

  it('sort by creation time', async () => {
    const earlier = randomIds.objectId();
    await new Promise((resolve) => setTimeout(resolve, 3));
    const later = randomIds.objectId();
    expect(earlier < later).toBe(true);
    expect(Number.parseInt(later.replaceAll('-', '').slice(0, 12), 16)).toBeLessThanOrEqual(Date.now());
  });
});
