/** A small seeded PRNG (mulberry32) for generated test and benchmark data: the same streams on
 * every run, so that a failure can be replayed from its seed. */
export type Rnd = () => number;

export function prng(seed: number): Rnd {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const int = (rnd: Rnd, n: number): number => Math.floor(rnd() * n);
export const pick = <T>(rnd: Rnd, list: readonly T[]): T => list[int(rnd, list.length)]!;
