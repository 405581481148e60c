/**
 * Status bytes → condition bits (../shared/docs/escpos-lengths.md, "Replies").
 *
 *   DLE EOT n: one byte `0xx1xx10`
 *     n=1 bit 2 drawer pin 3, bit 3 offline, bit 5 waiting for recovery, bit 6 feed button
 *     n=2 bit 2 cover open, bit 3 feeding by button, bit 5 stopped at paper end, bit 6 error
 *     n=3 bit 2 mechanical, bit 3 cutter, bit 5 unrecoverable, bit 6 auto-recoverable
 *     n=4 bits 2+3 near end, bits 5+6 paper end
 *   ASB frame (after GS a): 4 bytes, the first `0xx1xx00`
 *     byte 1 bit 2 drawer, 3 offline, 5 cover open, 6 feed button
 *     byte 2 bit 2 mechanical, 3 cutter, 5 unrecoverable, 6 auto-recoverable
 *     byte 3 bits 0+1 near end, bits 2+3 paper end
 *   GS r n: n=1/49 paper sensor bits 0+1 near end, 2+3 end; n=2/50 bit 0 drawer pin 3.
 */
import type { StatusBits } from './types.js';

export const isStatusByte = (b: number): boolean => (b & 0x93) === 0x12;
export const isAsbHead = (b: number): boolean => (b & 0x93) === 0x10;
/** One-byte replies to GS I / GS r / ESC v / ESC u, and the 2nd–4th bytes of an ASB frame. */
export const isPlainByte = (b: number): boolean => (b & 0x90) === 0;
export const XON = 0x11;
export const XOFF = 0x13;
/** First bytes of block replies (`GS I` n≥65: 0x5F; `GS ( H`, `DLE DC4 8`: 0x37; some models 0x3B). */
export const isBlockHead = (b: number): boolean => b === 0x37 || b === 0x5f || b === 0x3b;

const on = (b: number, mask: number): boolean => (b & mask) !== 0;
/** Two-bit sensor fields are "either bit set" (printers with one sensor set only one of them). */

/** The bits a `DLE EOT n` reply tells; null when `b` is not shaped like one or n is not 1–4. */
export function dleEotBits(n: number, b: number): StatusBits | null {
  if (!isStatusByte(b)) return null;
  switch (n) {
    case 1:
      return { drawerHigh: on(b, 0x04), offline: on(b, 0x08), waitingRecovery: on(b, 0x20), feedButton: on(b, 0x40) };
    case 2:
      return { coverOpen: on(b, 0x04), feeding: on(b, 0x08), paperEndStop: on(b, 0x20), errorOccurred: on(b, 0x40) };
    case 3:
      return { mechanicalError: on(b, 0x04), cutterError: on(b, 0x08), unrecoverableError: on(b, 0x20), autoRecoverableError: on(b, 0x40) };
    case 4:
      return { paperNearEnd: on(b, 0x0c), paperOut: on(b, 0x60) };
    default:
      return null;
  }
}

/** The bits of a 4-byte ASB frame (all of them: ASB reports everything at once). */
export function asbBits(f: Uint8Array): StatusBits {
  const b1 = f[0] ?? 0;
  const b2 = f[1] ?? 0;
  const b3 = f[2] ?? 0;
  return {
    drawerHigh: on(b1, 0x04),
    offline: on(b1, 0x08),
    coverOpen: on(b1, 0x20),
    feedButton: on(b1, 0x40),
    mechanicalError: on(b2, 0x04),
    cutterError: on(b2, 0x08),
    unrecoverableError: on(b2, 0x20),
    autoRecoverableError: on(b2, 0x40),
    paperNearEnd: on(b3, 0x03),
    paperOut: on(b3, 0x0c),
  };
}

/** The bits a one-byte `GS r n` reply tells; null for an n it does not describe. */
export function gsrBits(n: number, b: number): StatusBits | null {
  if (!isPlainByte(b)) return null;
  switch (n) {
    case 1:
    case 49:
      return { paperNearEnd: on(b, 0x03), paperOut: on(b, 0x0c) };
    case 2:
    case 50:
      return { drawerHigh: on(b, 0x01) };
    default:
      return null;
  }
}
