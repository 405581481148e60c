/** The matcher's errors, with stable codes (fastify style): bad input is the caller's to fix. */
export type MatcherErrorCode =
  /** A time that is not ISO 8601 (local for statements and printed times, with zone elsewhere). */
  | 'MATCH_BAD_TIME'
  /** Two statement rows or two receipts with one id. */
  | 'MATCH_DUPLICATE_ID'
  /** A period bound that is not YYYY-MM-DD, or from after to. */
  | 'MATCH_BAD_PERIOD'
  /** An internal invariant broke (a row or a group linked twice): a bug, never bad input. */
  | 'MATCH_INVARIANT';

export class MatcherError extends Error {
  constructor(
    readonly code: MatcherErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'MatcherError';
  }
}
