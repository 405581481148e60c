/**
 * Canonical JSON and its SHA-256: the content hash the server uses to tell "the same receipt sent
 * again" (fine) from "one id, different content" (409). It must not depend on key order, so object
 * keys are sorted at every level; no whitespace; otherwise exactly JSON.stringify's rules
 * (undefined members dropped, undefined/non-finite array items and non-finite numbers as null).
 */
import { createHash } from 'node:crypto';

export function canonicalJson(value: unknown): string {
  const out = write(value);
  return out === undefined ? 'null' : out;
}

function write(v: unknown): string | undefined {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return JSON.stringify(v);
    case 'number':
      return Number.isFinite(v) ? JSON.stringify(v) : 'null';
    case 'bigint':
      throw new TypeError('canonicalJson: BigInt has no JSON form');
    case 'object': {
      if (Array.isArray(v)) return `[${v.map((x) => write(x) ?? 'null').join(',')}]`;
      const obj = v as Record<string, unknown>;
      const parts: string[] = [];
      for (const k of Object.keys(obj).sort()) {
        const w = write(obj[k]);
        if (w !== undefined) parts.push(`${JSON.stringify(k)}:${w}`);
      }
      return `{${parts.join(',')}}`;
    }
    default:
      // undefined, functions, symbols: dropped, as JSON.stringify drops them.
      return undefined;
  }
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
