import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EscPosBuilder } from '../../src/escpos/builder.js';
import { demoSamples } from '../../src/cli/demo-samples.js';
import { decodeBuffer } from '../../src/receipt/decoder.js';
import { receiptToJson } from '../../src/receipt/render/json.js';
import { DB_FILE, type Store } from '../../src/store/index.js';
import { corpusFiles, readCorpus } from '../helpers/corpus.js';
import { openStore, T0, tempDir } from './helpers.js';

const PAN = '6222021234567890128'; // UnionPay, 19 digits, Luhn-valid
const PAN_MASKED = '622202*********0128';
const VISA = '4111 1111 1111 1111';
const VISA_MASKED = '4111 11** **** 1111';
const IMAGE_PAN = '5555555555554444'; // Luhn-valid, but inside raster data
const ORDER = '4000056655665556'; // Luhn-valid, but labelled as an order number: not a card

/** Journal `bytes` as chunks cut at `cuts`, commit every receipt the decoder finds, redact each. */
function capture(store: Store, session: string, bytes: Uint8Array, cuts: number[]): { redacted: number; receipts: number } {
  store.beginSession({ session, printer: 'front', peer: 'x', t: T0 });
  let at = 0;
  for (const c of [...cuts, bytes.length]) {
    const { offset } = store.appendChunk('front', { session, dir: 'to-printer', bytes: Buffer.from(bytes.subarray(at, c)), t: T0 });
    expect(offset).toBe(at);
    at = c;
  }
  let redacted = 0;
  const { receipts } = decodeBuffer(bytes);
  for (const r of receipts) {
    store.commitReceipt({
      session,
      printer: 'front',
      start: r.bytes.start,
      end: r.bytes.end,
      capturedAt: new Date(T0).toISOString(),
      receipt: receiptToJson(r),
      printStatus: 'ok',
    });
    redacted += store.redactJournal(session, r.bytes.start, r.bytes.end);
  }
  return { redacted, receipts: receipts.length };
}

/** Every byte of the database as it lies on disk (main file and WAL). */
function onDisk(dir: string): Buffer {
  const parts = [DB_FILE, `${DB_FILE}-wal`].map((f) => join(dir, f)).filter(existsSync);
  return Buffer.concat(parts.map((f) => readFileSync(f)));
}

function slip(): { bytes: Uint8Array; image: { start: number; end: number } } {
  const bits = Buffer.alloc(16 * 4, 0x20);
  bits.write(IMAGE_PAN, 8, 'latin1');
  const head = new EscPosBuilder().init().align('center').line('CORNER MARKET').align('left').build();
  const image = new EscPosBuilder().raster(128, 4, bits).build();
  const rest = new EscPosBuilder()
    .line()
    .line(`CARD NO: ${PAN}`)
    .line(`VISA ${VISA}`)
    .line(`ORDER NO: ${ORDER}`)
    .line('MID 898310048161234')
    .line('TOTAL 12.50')
    .feed(2)
    .cut()
    .build();
  return {
    bytes: Buffer.concat([head, image, rest]),
    image: { start: head.length, end: head.length + image.length },
  };
}

describe('redactJournal', () => {
  it('masks card numbers in the journal, also across chunk rows, and leaves images and offsets alone', () => {
    const dir = tempDir();
    const store = openStore(dir);
    const { bytes, image } = slip();
    const original = Buffer.from(bytes);
    const panAt = original.indexOf(PAN);
    const visaAt = original.indexOf(VISA);
    // Chunk rows split the PAN in its middle, the Visa number between its groups, and the image.
    const cuts = [image.start + 5, panAt + 9, visaAt + 10, visaAt + 14];
    expect(onDisk(dir).includes(Buffer.from(PAN))).toBe(false);
    store.beginSession({ session: 's', printer: 'front', peer: 'x', t: T0 });
    let at = 0;
    for (const c of [...cuts, original.length]) {
      store.appendChunk('front', { session: 's', dir: 'to-printer', bytes: original.subarray(at, c), t: T0 });
      at = c;
    }
    // The full number is on disk now, in two rows: that is what redaction is for.
    const before = onDisk(dir);
    expect(before.includes(Buffer.from(PAN.slice(0, 9))) && before.includes(Buffer.from(PAN.slice(9)))).toBe(true);
    expect(store.readStream('s', 'to-printer').includes(PAN)).toBe(true);

    const [r] = decodeBuffer(original).receipts;
    expect(r!.text).toContain(PAN_MASKED); // the decoder's guard
    const count = store.redactJournal('s', r!.bytes.start, r!.bytes.end);
    expect(count).toBe(2);

    const after = store.readStream('s', 'to-printer');
    expect(after.length).toBe(original.length);
    const expected = Buffer.from(original);
    expected.write(PAN_MASKED, panAt, 'latin1');
    expected.write(VISA_MASKED, visaAt, 'latin1');
    expect(after.equals(expected)).toBe(true); // only those digits changed: offsets hold
    expect(after.subarray(image.start, image.end).equals(original.subarray(image.start, image.end))).toBe(true);
    expect(after.includes(IMAGE_PAN)).toBe(true); // digits inside GS v 0 data are not text
    expect(after.includes(`ORDER NO: ${ORDER}`)).toBe(true); // the guard's rules, not any 16 digits
    // Chunk rows keep their sizes and offsets.
    expect([...store.chunks('s', 'to-printer')].map((c) => [c.offset, c.bytes.length])).toEqual(
      [0, ...cuts].map((c, i, all) => [c, (all[i + 1] ?? original.length) - c]),
    );

    // Decoding the redacted journal gives the same receipt the agent stored.
    const again = decodeBuffer(after).receipts[0]!;
    expect(again.text).toBe(r!.text);
    expect(again.fields).toEqual(r!.fields);

    // Twice is harmless.
    expect(store.redactJournal('s', r!.bytes.start, r!.bytes.end)).toBe(0);

    // Nowhere in the file: not in the main database, not in the WAL, not in a freed page.
    const disk = onDisk(dir);
    for (const needle of [PAN, PAN.slice(0, 9), PAN.slice(6, 15), VISA, VISA.replace(/ /g, '')]) {
      expect(disk.includes(Buffer.from(needle)), needle).toBe(false);
    }
    store.close();
    const closed = onDisk(dir);
    expect(closed.includes(Buffer.from(PAN.slice(6, 15)))).toBe(false);
  });

  it('cleans a chunk larger than a page (overflow pages) and leaves no copy on disk', () => {
    const dir = tempDir();
    const store = openStore(dir);
    const b = new EscPosBuilder().init();
    for (let i = 0; i < 300; i++) b.line(`ITEM ${i} ....................... 1.00`);
    b.line(`CARD ${PAN}`);
    for (let i = 0; i < 300; i++) b.line(`ITEM ${i} ....................... 1.00`);
    const bytes = Buffer.from(b.cut().build());
    expect(bytes.length).toBeGreaterThan(20_000);
    store.beginSession({ session: 's', printer: 'front', peer: 'x', t: T0 });
    store.appendChunk('front', { session: 's', dir: 'to-printer', bytes, t: T0 });
    store.db.pragma('wal_checkpoint(TRUNCATE)'); // the number is in the main file now
    expect(onDisk(dir).includes(Buffer.from(PAN))).toBe(true);
    expect(store.redactJournal('s', 0, bytes.length)).toBe(1);
    expect(onDisk(dir).includes(Buffer.from(PAN))).toBe(false);
    expect(onDisk(dir).includes(Buffer.from(PAN_MASKED))).toBe(true);
  });

  it('does not wait for a reader in the way of cleaning the WAL; the next call cleans', () => {
    const dir = tempDir();
    const store = openStore(dir);
    const reader = openStore(dir); // a `receipts export` in another process
    const bytes = new EscPosBuilder().init().line(`CARD ${PAN}`).cut().build();
    store.beginSession({ session: 's', printer: 'front', peer: 'x', t: T0 });
    store.appendChunk('front', { session: 's', dir: 'to-printer', bytes: Buffer.from(bytes), t: T0 });
    reader.db.exec('BEGIN');
    reader.db.prepare('SELECT count(*) FROM chunks').get(); // holds its snapshot
    const t = Date.now();
    expect(store.redactJournal('s', 0, bytes.length)).toBe(1);
    expect(Date.now() - t).toBeLessThan(1000); // not the 5 s busy timeout: printing must not wait
    expect(store.readStream('s', 'to-printer').includes(PAN)).toBe(false);
    reader.db.exec('COMMIT');
    reader.close();
    store.close();
    expect(onDisk(dir).includes(Buffer.from(PAN))).toBe(false);
  });

  it('masks a number the decoder sees whole although a style command splits it', () => {
    const store = openStore();
    const bytes = new EscPosBuilder().init().text('CARD 4111 1111 ').bold(true).text('1111 1111').bold(false).line().cut().build();
    const { redacted } = capture(store, 's', bytes, [20]);
    expect(redacted).toBe(1);
    const after = store.readStream('s', 'to-printer');
    expect(after.includes('4111 11** ')).toBe(true);
    expect(after.includes('**** 1111')).toBe(true);
    expect(decodeBuffer(after).receipts[0]!.text).toBe(decodeBuffer(bytes).receipts[0]!.text);
  });

  it('reads Chinese labels as the decoder does (GB18030): 卡号 is a card, 订单号 is not', () => {
    const store = openStore();
    const b = new EscPosBuilder().init().assumeEncoding('gb18030');
    b.line('银联POS签购单').line(`卡号: ${ORDER}`).line(`订单号: ${ORDER}`).line('金额: RMB 128.00').feed(2).cut();
    const bytes = b.build();
    const { redacted } = capture(store, 's', bytes, [17, 29]);
    expect(redacted).toBe(1);
    const after = store.readStream('s', 'to-printer');
    expect(after.length).toBe(bytes.length);
    expect(after.includes('400005******5556')).toBe(true);
    expect(after.includes(ORDER)).toBe(true);
    expect(decodeBuffer(after).receipts[0]!.text).toBe(decodeBuffer(bytes).receipts[0]!.text);
  });

  it('masks track data and labelled expiry dates and security codes too', () => {
    const store = openStore();
    const bytes = new EscPosBuilder().init().line(`CARD ${PAN}`).line('EXP 12/29  CVV 123').line(`;${PAN}=29121010000000000?`).cut().build();
    capture(store, 's', bytes, []);
    const after = store.readStream('s', 'to-printer').toString('latin1');
    expect(after).not.toContain(PAN);
    expect(after).not.toContain('12/29');
    expect(after).not.toContain('123\n');
    expect(after.length).toBe(bytes.length);
  });

  it('changes nothing outside the range and nothing when there is no card number', () => {
    const store = openStore();
    const one = new EscPosBuilder().init().line(`CARD ${PAN}`).cut().build();
    store.beginSession({ session: 's', printer: 'front', peer: 'x', t: T0 });
    store.appendChunk('front', { session: 's', dir: 'to-printer', bytes: Buffer.concat([one, one]), t: T0 });
    expect(store.redactJournal('s', one.length, one.length * 2)).toBe(1);
    const after = store.readStream('s', 'to-printer');
    expect(after.subarray(0, one.length).equals(Buffer.from(one))).toBe(true);
    expect(after.subarray(one.length).includes(PAN)).toBe(false);
    expect(store.redactJournal('s', 0, 5)).toBe(0);
    expect(store.redactJournal('nope', 0, 50)).toBe(0);
    expect(() => store.redactJournal('s', 5, 2)).toThrow(/bad byte range/);
  });

  it('keeps every sample and corpus capture decoding to the same receipts after redaction', () => {
    const inputs: Array<[string, Uint8Array]> = [
      ...demoSamples().map((s): [string, Uint8Array] => [s.name, s.bytes]),
      ['slip', slip().bytes],
      ...corpusFiles().map((f): [string, Uint8Array] => [f, readCorpus(f)]),
    ];
    const store = openStore();
    let masked = 0;
    inputs.forEach(([name, bytes], i) => {
      const cuts = [1, 2, 3].map((k) => Math.floor((bytes.length * k) / 4)).filter((c, j, a) => c > 0 && c < bytes.length && c !== a[j - 1]);
      masked += capture(store, `s${i}`, bytes, [...new Set(cuts)]).redacted;
      const after = store.readStream(`s${i}`, 'to-printer');
      expect(after.length, name).toBe(bytes.length);
      const want = decodeBuffer(bytes).receipts.map((r) => [r.bytes, r.text, r.barcodes]);
      const got = decodeBuffer(after).receipts.map((r) => [r.bytes, r.text, r.barcodes]);
      expect(got, name).toEqual(want);
    });
    expect(masked).toBeGreaterThan(0);
  });
});
