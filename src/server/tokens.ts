/**
 * API tokens: 256 random bits, a prefix that says what the token is (so a leaked one is easy to
 * recognise in a log or a scanner), and a short public id to list and revoke it by. The server
 * keeps only the SHA-256 of the secret: a fast hash is enough for 256 random bits.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { TokenRole } from './storage/types.js';

const PREFIX: Record<TokenRole, string> = { device: 'ttd_', user: 'ttu_' };

export interface MadeToken {
  readonly id: string;
  /** The bearer secret: shown once, never stored. */
  readonly secret: string;
  readonly hash: string;
}

export function makeToken(role: TokenRole): MadeToken {
  const secret = `${PREFIX[role]}${randomBytes(32).toString('base64url')}`;
  return { id: randomBytes(6).toString('hex'), secret, hash: hashToken(secret) };
}

export function hashToken(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Store ids and user names: what a person types, and safe in a table column and a log line. */
export const STORE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
export const USER_NAME = /^[\p{L}\p{N}][\p{L}\p{N} ._@-]{0,63}$/u;
