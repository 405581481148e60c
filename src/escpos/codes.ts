/**
 * Bar codes and 2-D codes: which symbology each command's number selects, and the payload as
 * printed (code-set prefixes removed, text decoded).
 */
import { decodeBytes } from './codepages.js';
import type { Symbology } from './events.js';

export const SYMBOLOGY_A: readonly Symbology[] = ['upca', 'upce', 'ean13', 'ean8', 'code39', 'itf', 'codabar'];
export const SYMBOLOGY_B: Readonly<Record<number, Symbology>> = {
  65: 'upca', 66: 'upce', 67: 'ean13', 68: 'ean8', 69: 'code39', 70: 'itf', 71: 'codabar', 72: 'code93',
  73: 'code128', 74: 'gs1-128', 75: 'gs1-databar', 76: 'gs1-databar', 77: 'gs1-databar', 78: 'gs1-databar',
  79: 'code128',
};
export const SYMBOLOGY_2D: Readonly<Record<number, Symbology>> = {
  48: 'pdf417', 49: 'qr', 50: 'maxicode', 51: 'gs1-databar', 52: 'composite', 53: 'aztec', 54: 'datamatrix',
};
export const SYMBOLOGY_STAR: readonly Symbology[] = [
  'upce', 'upca', 'ean8', 'ean13', 'code39', 'itf', 'code128', 'code93', 'codabar',
  'gs1-128', 'gs1-databar', 'gs1-databar', 'gs1-databar', 'gs1-databar',
];
export const LEGACY_2D: readonly Symbology[] = ['pdf417', 'datamatrix', 'qr'];

const latin1 = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.length).toString('latin1');

/** A 1-D payload: code 128 and GS1-128 without their code-set selectors, others as sent. */
export function codeText(symbology: Symbology, data: Uint8Array): string {
  return symbology === 'code128' || symbology === 'gs1-128' ? code128Text(data) : latin1(data);
}

/** A 2-D payload: UTF-8 when it is valid UTF-8, else GB18030 in CJK mode, else Latin-1. */
export function codeData(bytes: Uint8Array, cjk: boolean): string {
  let ascii = true;
  for (let i = 0; i < bytes.length; i++) if (bytes[i]! >= 0x80) ascii = false;
  if (ascii) return latin1(bytes);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return cjk ? decodeBytes(bytes, 'gb18030') : latin1(bytes);
  }
}

/** Code 128 data as sent to `GS k 73`: `{A`/`{B`/`{C` code sets, `{{` for a brace, FNC codes dropped. */
export function code128Text(bytes: Uint8Array): string {
  let out = '';
  let set: 'A' | 'B' | 'C' = 'B';
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b === 0x7b && i + 1 < bytes.length) {
      const c = bytes[i + 1]!;
      if (c === 0x41 || c === 0x42 || c === 0x43) {
        set = String.fromCharCode(c) as 'A' | 'B' | 'C';
        i++;
        continue;
      }
      if (c === 0x7b) {
        out += '{';
        i++;
        continue;
      }
      if (c === 0x31 || c === 0x32 || c === 0x33 || c === 0x34 || c === 0x53) {
        i++;
        continue;
      }
    }
    if (set === 'C') out += b < 100 ? String(b).padStart(2, '0') : String.fromCharCode(b);
    else out += String.fromCharCode(b);
  }
  return out;
}

