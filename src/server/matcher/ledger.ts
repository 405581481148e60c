/**
 * Who matched whom. One slot per statement row and one per receipt group, each filled at most
 * once: a second link for either side is a bug, and the ledger refuses it rather than let a row
 * or a receipt count twice. (Storage enforces the same with unique constraints.)
 */
import { MatcherError } from './errors.js';
import type { MatchTier } from './types.js';

export const NONE = -1;

export class Ledger {
  private readonly rowToGroup: Int32Array;
  private readonly groupToRow: Int32Array;
  private readonly tier: (MatchTier | undefined)[];
  private readonly typeDiffers: boolean[];

  constructor(rows: number, groups: number) {
    this.rowToGroup = new Int32Array(rows).fill(NONE);
    this.groupToRow = new Int32Array(groups).fill(NONE);
    this.tier = new Array<MatchTier | undefined>(rows);
    this.typeDiffers = new Array<boolean>(rows).fill(false);
  }

  link(row: number, group: number, tier: MatchTier, typeDiffers: boolean): void {
    if (this.rowToGroup[row] !== NONE || this.groupToRow[group] !== NONE) {
      throw new MatcherError('MATCH_INVARIANT', `double match refused: row #${row}, group #${group} (${tier})`);
    }
    this.rowToGroup[row] = group;
    this.groupToRow[group] = row;
    this.tier[row] = tier;
    this.typeDiffers[row] = typeDiffers;
  }

  groupOf(row: number): number {
    return this.rowToGroup[row]!;
  }

  rowOf(group: number): number {
    return this.groupToRow[group]!;
  }

  rowMatched(row: number): boolean {
    return this.rowToGroup[row] !== NONE;
  }

  groupMatched(group: number): boolean {
    return this.groupToRow[group] !== NONE;
  }

  tierOf(row: number): MatchTier | undefined {
    return this.tier[row];
  }

  typeDiffersAt(row: number): boolean {
    return this.typeDiffers[row] === true;
  }
}
