/**
 * The classifier and router of printer → host bytes, and the host stream's queries and command
 * boundaries: pure, so every split of the input is tried.
 */
import { describe, expect, it } from 'vitest';
import { asbFrame, dleEotByte, flagsFor, gsIReply, DEFAULT_IDENTITY } from '../../drivers/simulator/replies.js';
import { asbBits, dleEotBits } from '../../src/health/bits.js';
import { HostStream, POLL_QUERIES, type Query } from '../../src/health/requests.js';
import { type Owner, ReplyRouter, type Seen } from '../../src/health/router.js';

const q = (name: string, cls: Query['cls'], n: number | null): Query => ({ name, cls, n });
const eot = (n: number): Query => q(`DLE EOT ${n}`, 'status', n);

/** Feeds `bytes` to a router in the pieces given by `cuts`; returns what the POS got and what was seen. */
function route(setup: (r: ReplyRouter) => void, bytes: Buffer, cuts: number[]): { forward: Buffer; seen: Seen[] } {
  const r = new ReplyRouter();
  setup(r);
  const parts: Buffer[] = [];
  const seen: Seen[] = [];
  let at = 0;
  for (const c of [...cuts, bytes.length]) {
    const out = r.received(bytes.subarray(at, c), 0);
    parts.push(out.forward);
    seen.push(...out.seen);
    at = c;
  }
  return { forward: Buffer.concat(parts), seen };
}

/** Every way to cut `n` bytes into two and three pieces. */
function* splits(n: number): Generator<number[]> {
  yield [];
  for (let i = 1; i < n; i++) {
    yield [i];
    for (let j = i + 1; j < n; j++) yield [i, j];
  }
}

const summary = (seen: Seen[]): string[] =>
  seen.map((s) => {
    switch (s.kind) {
      case 'status':
        return `status ${s.owner ?? '-'} ${s.query?.name ?? '?'} ${s.byte.toString(16)}`;
      case 'byte':
        return `byte ${s.owner} ${s.query.name} ${s.byte.toString(16)}`;
      case 'block':
        return `block ${s.owner} ${s.query.name} ${s.bytes.toString('latin1')}`;
      case 'asb':
        return `asb ${s.frame.toString('hex')}`;
      case 'other':
        return `other ${s.byte.toString(16)}`;
      default:
        return s.kind;
    }
  });

describe('status bits', () => {
  it('decode what the simulator encodes for every fault state', () => {
    for (const st of ['healthy', 'paper_near_end', 'paper_out', 'cover_open', 'cutter_error', 'offline', 'unrecoverable'] as const) {
      const f = flagsFor(st);
      const b1 = dleEotBits(1, dleEotByte(f, 1)!)!;
      const b2 = dleEotBits(2, dleEotByte(f, 2)!)!;
      const b3 = dleEotBits(3, dleEotByte(f, 3)!)!;
      const b4 = dleEotBits(4, dleEotByte(f, 4)!)!;
      expect({ ...b1, ...b2, ...b3, ...b4 }).toMatchObject({
        offline: f.offline,
        coverOpen: f.coverOpen,
        paperEndStop: f.paperEndStop,
        cutterError: f.cutterError,
        unrecoverableError: f.unrecoverableError,
        paperNearEnd: f.paperNearEnd,
        paperOut: f.paperOut,
        drawerHigh: f.drawerHigh,
      });
      expect(asbBits(asbFrame(f))).toMatchObject({ offline: f.offline, coverOpen: f.coverOpen, cutterError: f.cutterError, paperOut: f.paperOut, paperNearEnd: f.paperNearEnd });
    }
  });

  it('refuse bytes not shaped like a status reply', () => {
    expect(dleEotBits(1, 0x00)).toBeNull();
    expect(dleEotBits(1, 0x13)).toBeNull();
    expect(dleEotBits(5, 0x12)).toBeNull();
    expect(dleEotBits(4, 0x7e)).toEqual({ paperNearEnd: true, paperOut: true });
  });
});

describe('reply router', () => {
  // A POS that polls DLE EOT 1 and asks GS I 67 and GS r 1, and the agent's poll in between; the
  // printer also says XOFF/XON and sends an ASB frame. Real replies from the simulator's encoder.
  const f = flagsFor('paper_near_end');
  const posEot1 = dleEotByte(f, 1)!;
  const agent = POLL_QUERIES.map((qq) => dleEotByte(f, qq.n!)!);
  const model = gsIReply(DEFAULT_IDENTITY, 67)!;
  const stream = Buffer.concat([
    Buffer.of(posEot1),
    Buffer.of(0x13),
    Buffer.of(agent[0]!, agent[1]!),
    asbFrame(f),
    model,
    Buffer.of(agent[2]!, agent[3]!),
    Buffer.of(0x03), // GS r 1: near end
    Buffer.of(0x11),
  ]);
  const setup = (r: ReplyRouter): void => {
    r.sent('pos', eot(1), 0);
    for (const p of POLL_QUERIES) r.sent('agent', p, 0);
    r.sent('pos', q('GS I 67', 'block', 67), 0);
    r.sent('pos', q('GS r 1', 'byte', 1), 0);
  };
  const posGets = Buffer.concat([Buffer.of(posEot1, 0x13), asbFrame(f), model, Buffer.of(0x03, 0x11)]);

  it('gives the POS exactly its bytes in order and keeps the agent’s replies, at every split', () => {
    let expected: string[] | null = null;
    for (const cuts of splits(stream.length)) {
      const { forward, seen } = route(setup, stream, cuts);
      expect(forward.equals(posGets), `cuts ${cuts.join(',')}`).toBe(true);
      const s = summary(seen);
      expected ??= s;
      expect(s, `cuts ${cuts.join(',')}`).toEqual(expected);
    }
    expect(expected).toEqual([
      `status pos DLE EOT 1 ${posEot1.toString(16)}`,
      'xoff',
      `status agent DLE EOT 1 ${agent[0]!.toString(16)}`,
      `status agent DLE EOT 2 ${agent[1]!.toString(16)}`,
      `asb ${asbFrame(f).toString('hex')}`,
      'block pos GS I 67 _SIM-80\0',
      `status agent DLE EOT 3 ${agent[2]!.toString(16)}`,
      `status agent DLE EOT 4 ${agent[3]!.toString(16)}`,
      'byte pos GS r 1 3',
      'xon',
    ]);
  });

  it('decodes the agent’s replies against the query each answers', () => {
    const { seen } = route(setup, stream, []);
    const agentBits = seen.filter((s): s is Extract<Seen, { kind: 'status' }> => s.kind === 'status' && s.owner === 'agent').map((s) => s.bits);
    expect(agentBits[3]).toEqual({ paperNearEnd: true, paperOut: false });
  });

  it('passes on bytes nobody asked for, and a block head when no block is awaited', () => {
    const bytes = Buffer.from([0x12, 0x37, 0x41, 0x00, 0x5f, 0x99]);
    const { forward, seen } = route(() => {}, bytes, []);
    expect(forward.equals(bytes)).toBe(true);
    expect(summary(seen)).toEqual(['status - ? 12', 'other 37', 'other 41', 'other 0', 'other 5f', 'other 99']);
  });

  it('abandons an ASB frame at a byte that cannot be in one, so a status reply is never swallowed', () => {
    const { forward, seen } = route((r) => r.sent('agent', eot(1), 0), Buffer.of(0x10, 0x00, 0x16), []);
    expect(forward.equals(Buffer.of(0x10, 0x00))).toBe(true);
    expect(summary(seen)).toEqual(['status agent DLE EOT 1 16']);
  });

  it('gives up unanswered queries in order, and keeps a late reply to the agent from the POS', () => {
    const r = new ReplyRouter({ agentTimeoutMs: 100, posTimeoutMs: 1000 });
    r.sent('agent', eot(1), 0);
    r.sent('pos', eot(2), 50);
    expect(r.expire(99)).toEqual([]);
    expect(r.expire(100).map((e) => e.owner)).toEqual(['agent']);
    // The next status byte answers the POS's query (still waiting), not the given-up one.
    const a = r.received(Buffer.of(0x12), 120);
    expect(a.forward.equals(Buffer.of(0x12))).toBe(true);
    // Then a stray status byte: the late answer to the agent's poll, kept back.
    const b = r.received(Buffer.of(0x16), 130);
    expect(b.forward.length).toBe(0);
    expect(summary(b.seen)).toEqual(['status agent ? 16']);
    // Past the late window a stray status byte goes to the POS.
    r.sent('agent', eot(1), 200);
    r.expire(300);
    r.expire(300 + 30_000);
    expect(r.received(Buffer.of(0x12), 30_400).forward.length).toBe(1);
  });

  it('takes back queries whose bytes could not be written', () => {
    const r = new ReplyRouter();
    r.sent('pos', eot(1), 0);
    for (const p of POLL_QUERIES) r.sent('agent', p, 0);
    r.withdraw('agent', 4);
    expect(r.pending('agent')).toBe(0);
    expect(r.pending('pos')).toBe(1);
  });
});

describe('host stream', () => {
  const posJob = Buffer.concat([
    '\x1b@\x1da\xff', // ESC @, GS a 255
    'SHOP\n',
    '\x1dv0\x00\x02\x00\x03\x00', // GS v 0: 2 bytes x 3 dots of image
    Buffer.from([0x10, 0x04, 0x01, 0x10, 0x04, 0x02]), // DLE EOT inside the image data: data
    '\x10\x04\x04', // a real DLE EOT 4
    '\x1dI\x43\x1dr\x01', // GS I 67, GS r 1
    '\xb2\xe2\xca\xd4\n', // GBK text
    '\x1dV\x00',
  ].map((b) => (typeof b === 'string' ? Buffer.from(b, 'latin1') : b)));

  it('finds the queries, ASB and reset, never inside image data, at every split', () => {
    let expected: string[] | null = null;
    for (let i = 0; i <= posJob.length; i++) {
      for (let j = i; j <= posJob.length; j += 3) {
        const h = new HostStream();
        const items = [...h.push(posJob.subarray(0, i)), ...h.push(posJob.subarray(i, j)), ...h.push(posJob.subarray(j))];
        const s = items.map((it) => (it.kind === 'query' ? `${it.query.name}@${it.offset}` : it.kind === 'asb' ? `asb ${it.enabled}@${it.offset}` : `reset@${it.offset}`));
        expected ??= s;
        expect(s).toEqual(expected);
      }
    }
    expect(expected).toEqual(['reset@0', 'asb true@2', 'DLE EOT 4@24', 'GS I 67@27', 'GS r 1@30']);
  });

  it('stands at a command boundary only between commands and outside multi-byte characters', () => {
    const at = (bytes: string): boolean => {
      const h = new HostStream();
      h.push(Buffer.from(bytes, 'latin1'));
      return h.atBoundary;
    };
    expect(at('')).toBe(true);
    expect(at('TOTAL 1.00\n')).toBe(true);
    expect(at('TOTAL 1.00')).toBe(true); // ASCII text may be followed by a command
    expect(at('\x1b')).toBe(false);
    expect(at('\x1d(k')).toBe(false);
    expect(at('\x1dv0\x00\x02\x00\x03\x00\x01\x02')).toBe(false); // inside an image
    expect(at('\x1dv0\x00\x02\x00\x03\x00\x01\x02\x03\x04\x05\x06')).toBe(true);
    expect(at('\xb2')).toBe(false); // a GBK lead byte waiting for its trail
    expect(at('\xb2\xe2')).toBe(false); // cannot know the character is complete
    expect(at('\xb2\xe2AB')).toBe(true);
  });

  it('skips plain text fast, keeping offsets and multi-byte boundaries right', () => {
    const h = new HostStream();
    const seq = (x: string): boolean => {
      h.push(Buffer.from(x, 'latin1'));
      return h.atBoundary;
    };
    expect(seq('TOTAL')).toBe(true);
    expect(seq('\xb2')).toBe(false); // a GBK lead byte alone in its chunk
    expect(seq('\xe2')).toBe(false);
    expect(seq('CD\n')).toBe(true);
    expect(seq('\x1dv0\x00\x01\x00\x02\x00')).toBe(false); // an image header: its data follows
    expect(seq('\x10')).toBe(false); // image data, not a DLE
    expect(seq('A')).toBe(true); // the image's last data byte: complete
    const items = h.push(Buffer.from('xyz\x10\x04\x02', 'latin1'));
    expect(items).toEqual([{ kind: 'query', query: { name: 'DLE EOT 2', cls: 'status', n: 2 }, offset: 23 }]);
    expect(h.offset).toBe(26);
  });

  it('stands at the same boundaries whichever way the stream is cut', () => {
    const whole = Buffer.from('AB\x1b!\x08CD\xb2\xe2\n\x1dv0\x00\x01\x00\x02\x00\x10\x04EF', 'latin1');
    const ref: boolean[] = [];
    const h0 = new HostStream();
    for (let i = 0; i < whole.length; i++) {
      h0.push(whole.subarray(i, i + 1));
      ref.push(h0.atBoundary);
    }
    for (let cut = 1; cut < whole.length; cut++) {
      const h = new HostStream();
      h.push(whole.subarray(0, cut));
      // The state after `cut` bytes is the same as byte by byte.
      expect(h.atBoundary, `after ${cut}`).toBe(ref[cut - 1]);
    }
    expect(ref[ref.length - 1]).toBe(true);
    expect(ref[3]).toBe(false); // inside ESC ! n
  });
});

// Keep the Owner type honest: the router only ever answers one of these.
const owners: Owner[] = ['pos', 'agent'];
void owners;
