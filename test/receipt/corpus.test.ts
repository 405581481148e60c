import { describe, expect, it } from 'vitest';
import { decodeBuffer, ReceiptDecoder } from '../../src/receipt/decoder.js';
import { corpusFiles, hasCorpus, readCorpus } from '../helpers/corpus.js';

describe.skipIf(!hasCorpus)('reference corpus (../shared/corpus)', () => {
  it.each(corpusFiles())('%s decodes without an exception, in every profile', (name) => {
    const bytes = readCorpus(name);
    for (const profile of ['auto', 'epson', 'generic-cn', 'star-line'] as const) {
      const r = decodeBuffer(bytes, { profile });
      for (const receipt of r.receipts) {
        expect(receipt.bytes.start).toBeLessThan(receipt.bytes.end);
        expect(receipt.bytes.end).toBeLessThanOrEqual(bytes.length);
      }
    }
  });

  it('escpos-php/character-encodings.bin gives the lines of its .expect.txt (auto profile)', () => {
    const expected = readCorpus('escpos-php/character-encodings.expect.txt').toString('utf8').trim().split('\n');
    const r = decodeBuffer(readCorpus('escpos-php/character-encodings.bin'));
    const lines = r.receipts.flatMap((x) => x.lines.map((l) => l.text));
    for (const want of expected) expect(lines).toContain(want);
  });

  it('npos/text-1.bin gives readable Chinese although no FS & is sent', () => {
    const r = decodeBuffer(readCorpus('npos/text-1.bin'));
    expect(r.receipts).toHaveLength(1);
    const text = r.receipts[0]!.text;
    expect(text).toContain('来钱客栈');
    expect(text).toContain('收银：1001(1001) 牌号：0001');
    expect(text).toContain('欢迎光临！');
    expect(text).toContain('商品名称');
    expect(r.receipts[0]!.cut).toBe('partial');
  });

  it('npos/text-1.bin decodes the same with the generic-cn profile', () => {
    const auto = decodeBuffer(readCorpus('npos/text-1.bin'));
    const cn = decodeBuffer(readCorpus('npos/text-1.bin'), { profile: 'generic-cn' });
    expect(cn.receipts.map((r) => r.text)).toEqual(auto.receipts.map((r) => r.text));
  });

  it('escpos-php/demo.bin gives its 14 receipts, with their cuts, codes and images', () => {
    const r = decodeBuffer(readCorpus('escpos-php/demo.bin'));
    expect(r.receipts).toHaveLength(14);
    expect(r.receipts.every((x) => x.cut !== null)).toBe(true);
    expect(r.receipts[0]!.text).toBe('Hello world\n');
    const codes = r.receipts.flatMap((x) => x.barcodes);
    expect(codes.filter((b) => b.symbology === 'qr').map((b) => b.data)).toContain('Testing 123');
    expect(r.receipts.some((x) => x.images.length > 0)).toBe(true);
    // Receipts tile the input in order.
    for (let i = 1; i < r.receipts.length; i++) expect(r.receipts[i]!.bytes.start).toBe(r.receipts[i - 1]!.bytes.end);
  });

  it('npos/text-2.bin: the clone legacy QR command carries its payload', () => {
    const r = decodeBuffer(readCorpus('npos/text-2.bin'));
    expect(r.receipts.flatMap((x) => x.barcodes)).toEqual([{ symbology: 'qr', data: 'Hello World!' }]);
  });

  it('npos/raster.bin: an image-only receipt is a receipt of images, with no text invented', () => {
    const r = decodeBuffer(readCorpus('npos/raster.bin'));
    expect(r.receipts).toHaveLength(1);
    expect(r.receipts[0]!.images.length).toBe(24);
    expect(r.receipts[0]!.images.every((i) => i.width === 464)).toBe(true);
    expect(r.receipts[0]!.text.trim()).toBe('');
  });

  it('escpos-php/barcode.bin: every GS k form B symbology comes out with its data', () => {
    const r = decodeBuffer(readCorpus('escpos-php/barcode.bin'));
    const sym = new Set(r.receipts.flatMap((x) => x.barcodes.map((b) => b.symbology)));
    for (const s of ['upca', 'upce', 'ean13', 'ean8', 'code39', 'itf', 'codabar', 'code93', 'code128']) expect(sym).toContain(s);
  });

  it('streaming in small chunks gives the same receipts as one buffer', () => {
    for (const name of corpusFiles()) {
      const bytes = readCorpus(name);
      const whole = decodeBuffer(bytes);
      const d = new ReceiptDecoder();
      const parts = [];
      for (let i = 0; i < bytes.length; i += 97) parts.push(...d.push(bytes.subarray(i, i + 97)));
      parts.push(...d.end());
      expect(parts.map((r) => [r.text, r.bytes])).toEqual(whole.receipts.map((r) => [r.text, r.bytes]));
    }
  });
});
