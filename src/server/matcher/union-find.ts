/** Disjoint sets over 0..n-1, for grouping copies of a slip and for candidate clusters. */
export class UnionFind {
  private readonly parent: Int32Array;

  constructor(n: number) {
    this.parent = new Int32Array(n);
    for (let i = 0; i < n; i++) this.parent[i] = i;
  }

  find(i: number): number {
    const p = this.parent;
    let root = i;
    while (p[root] !== root) root = p[root]!;
    while (p[i] !== root) {
      const next = p[i]!;
      p[i] = root;
      i = next;
    }
    return root;
  }

  /** Joins the sets of a and b; the smaller index becomes the root, so results do not depend on call order. */
  union(a: number, b: number): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra === rb) return;
    if (ra < rb) this.parent[rb] = ra;
    else this.parent[ra] = rb;
  }
}
