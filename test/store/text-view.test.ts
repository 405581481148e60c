import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { CLONE_TABLE } from '../../src/escpos/commands.js';
import { tokenize } from '../../src/escpos/tokenizer.js';
import { buildTextView } from '../../src/store/text-view.js';

function view(bytes: Buffer): ReturnType<typeof buildTextView> {
  return buildTextView(tokenize(bytes, CLONE_TABLE), 0, 'clone');
}

describe('text view of raw bytes', () => {
  it('maps every character back to its bytes, lines at LF, style commands invisible', () => {
    const bytes = Buffer.concat([Buffer.from('AB\x1bE\x01CD\n'), Buffer.from([0x1d, 0x76, 0x30, 0, 1, 0, 2, 0, 0x34, 0x31]), Buffer.from('E')]);
    const v = view(bytes);
    expect(v.text).toBe('ABCD\n\nE');
    expect(v.from).toEqual([0, 1, 5, 6, -1, -1, 18]); // the image data "41" is no text
  });

  it('reads GB18030 (4-byte units hide their digit bytes) and UTF-8 stretches', () => {
    const gb = iconv.encode('订单号€\u0080x', 'gb18030'); // U+0080 is a 4-byte GB18030 sequence
    const v = view(gb);
    expect(v.text).toBe('订单号€\u0080x');
    expect(v.to[4]! - v.from[4]!).toBe(4);
    const u = view(Buffer.from('卡号: 4111', 'utf8'));
    expect(u.text).toBe('卡号: 4111');
    expect([u.from[0], u.to[0], u.from[2]]).toEqual([0, 3, 6]);
  });
});
