/** Deterministic PRNG (mulberry32) so random tests replay identically. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomInt(rand: () => number, min: number, max: number): number {
  return min + Math.floor(rand() * (max - min + 1));
}

export function randomBytesFrom(rand: () => number, length: number): Buffer {
  const out = Buffer.alloc(length);
  for (let i = 0; i < length; i++) out[i] = Math.floor(rand() * 256);
  return out;
}

const ID_CHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-';
export function randomId(rand: () => number, prefix = 'msg_'): string {
  let id = prefix;
  const length = randomInt(rand, 8, 32);
  for (let i = 0; i < length; i++) id += ID_CHARS[Math.floor(rand() * ID_CHARS.length)];
  return id;
}

/** A random JSON document with unicode, nesting and odd whitespace (the raw text is what gets signed). */
export function randomJsonBody(rand: () => number): string {
  const value = {
    jobId: randomId(rand, 'job-'),
    status: ['succeeded', 'failed', 'cancelled'][randomInt(rand, 0, 2)],
    progress: randomInt(rand, 0, 100),
    note: randomBytesFrom(rand, randomInt(rand, 0, 40)).toString('latin1'),
    emoji: rand() < 0.3 ? 'd\u00e9j\u00e0 vu \u{1F680}' : undefined,
    nested: { list: Array.from({ length: randomInt(rand, 0, 5) }, () => rand()) },
  };
  return JSON.stringify(value, null, rand() < 0.5 ? 0 : randomInt(rand, 1, 4));
}
