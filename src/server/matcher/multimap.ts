/**
 * String key → indices, for the tiers' and the grouping's indexes. Almost every key holds one
 * index: it is kept as a bare number, and only a second one makes an array. A day has hundreds of
 * thousands of keys; this spares as many small arrays (and the garbage collector their copying).
 */
export type Hits = number | number[] | undefined;

export class MultiMap {
  private readonly map = new Map<string, number | number[]>();

  add(key: string, value: number): void {
    const hit = this.map.get(key);
    if (hit === undefined) this.map.set(key, value);
    else if (typeof hit === 'number') this.map.set(key, [hit, value]);
    else hit.push(value);
  }

  get(key: string): Hits {
    return this.map.get(key);
  }

  get size(): number {
    return this.map.size;
  }

  /** The keys holding two or more indices, with them (an array, not a generator: no result object per key visited). */
  multiples(): number[][] {
    const out: number[][] = [];
    this.map.forEach((hit) => {
      if (typeof hit !== 'number') out.push(hit);
    });
    return out;
  }
}
