/**
 * Canonical JSON and its SHA-256: the content hash the server uses to tell "the same receipt sent
 * again" (fine) from "one id, different content" (409). It must not depend on key order, so object
 * keys are sorted at every level; no whitespace; otherwise exactly JSON.stringify's rules
 * (undefined members dropped, undefined/non-finite array items and non-finite numbers as null).
 */
import { createHash } from 'node:crypto';

export function canonicalJson(value: unknown): string {
  // The native serializer, given each object with its keys sorted, writes the same text several
  // times faster — where it can: it orders array-index keys ("9", "10") numerically and calls
  // toJSON, so a value with either takes the general path.
  const out = nativeSafe(value) ? JSON.stringify(value, sortedKeys) : write(value);
  return out === undefined ? 'null' : out;
}

/** No object in `v` has an array-index key or a toJSON method. */
function nativeSafe(v: unknown): boolean {
  if (v === null || typeof v !== 'object') return true;
  if (Array.isArray(v)) {
    for (const x of v) if (!nativeSafe(x)) return false;
    return true;
  }
  const o = v as Record<string, unknown>;
  if (typeof o.toJSON === 'function') return false;
  for (const k in o) {
    const c = k.charCodeAt(0);
    if (c >= 0x30 && c <= 0x39) return false;
    if (!nativeSafe(o[k])) return false;
  }
  return true;
}

function sortedKeys(_key: string, v: unknown): unknown {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
  const keys = Object.keys(v);
  let sorted = true;
  for (let i = 1; i < keys.length; i++) {
    if (keys[i - 1]! > keys[i]!) {
      sorted = false;
      break;
    }
  }
  if (sorted) return v;
  const o = v as Record<string, unknown>;
  const copy: Record<string, unknown> = {};
  for (const k of keys.sort()) copy[k] = o[k];
  return copy;
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
