/**
 * The printer's character state — `ESC t` code page through the profile's map, `ESC R`
 * international set, CJK mode (`FS &` / `FS .`, or powered up in it), `FS ( C` UTF-8 — and the
 * decoding of text runs under it. With no profile (`auto`), the code page map and the CJK power-on
 * state are inferred from the text itself.
 */
import { asciiOnly, type CjkEncoding, decodesAsciiAsIs, decoderFor, isOneToOne, type TextDecodeFn } from './codepages.js';
import { applyRemap, internationalRemap, type Remap } from './international.js';
import { gbScore, plausibility } from './plausibility.js';
import { allProfiles, type PrinterProfile } from './profiles.js';

interface Candidate {
  readonly encoding: string;
  readonly vendors: readonly string[];
}

/** What `auto` has decided so far, for the note and for tests. */
export interface AutoReport {
  /** Profiles ranked by how well their code page maps explained the text. */
  readonly vendorVotes: Record<string, number>;
  /** Whether the printer was found to power up in CJK mode. */
  readonly cjkPowerOn: boolean | null;
}

interface Pool {
  readonly vendors: readonly string[];
  readonly candidates: ReadonlyMap<number, readonly Candidate[]>;
}
const pools = new Map<string, Pool>();

/** For `auto`: each `ESC t n` → the code pages the family's vendors map it to (built once). */
function candidatePool(family: 'esc-pos' | 'star-line'): Pool {
  let pool = pools.get(family);
  if (pool) return pool;
  // Every vendor map of the family votes; the order breaks ties (Epson first).
  const profiles = allProfiles()
    .filter((p) => (family === 'star-line') === (p.dialect === 'star-line'))
    .sort((a, b) => (a.name === 'epson' ? -1 : b.name === 'epson' ? 1 : 0));
  const candidates = new Map<number, Candidate[]>();
  for (const p of profiles) {
    for (const [n, enc] of p.codepages) {
      const list = candidates.get(n) ?? [];
      const found = list.find((c) => c.encoding === enc);
      if (found) (found.vendors as string[]).push(p.name);
      else list.push({ encoding: enc, vendors: [p.name] });
      candidates.set(n, list);
    }
  }
  pool = { vendors: profiles.map((p) => p.name), candidates };
  pools.set(family, pool);
  return pool;
}

export class Charset {
  private codepage = 0;
  private remap: Remap | null = null;
  /** Explicit CJK mode: true after FS &, false after FS ., null when only the power-on state applies. */
  private cjkExplicit: boolean | null = null;
  /** Power-on CJK state; null while `auto` has not decided. */
  private cjkPower: boolean | null;
  private utf8 = false;
  /** FS C 1: Shift JIS code system, in which Kanji and half-width katakana need no FS &. */
  private shiftJis = false;
  /** Bumped on every change that can change how bytes decode: text runs are split there. */
  private changes = 0;
  /** The decoder for the current state, when it does not depend on `auto`'s guesses. */
  private fixed: TextDecodeFn | null = null;
  private readonly votes = new Map<string, number>();
  /** Runs that read clearly as single-byte text and not as GB18030: enough of them settle it. */
  private notCjk = 0;
  private readonly candidates: ReadonlyMap<number, readonly Candidate[]> = new Map();

  constructor(
    private readonly profile: PrinterProfile | null,
    private readonly cjkEncoding: CjkEncoding,
    family: 'esc-pos' | 'star-line' = 'esc-pos',
  ) {
    this.cjkPower = profile ? profile.startsInCjk : null;
    if (!profile) {
      const pool = candidatePool(family);
      this.candidates = pool.candidates;
      for (const name of pool.vendors) this.votes.set(name, 0);
    }
  }

  private changed(): void {
    this.changes++;
    this.fixed = null;
  }

  reset(): void {
    this.codepage = 0;
    this.remap = null;
    this.cjkExplicit = null;
    this.utf8 = false;
    this.shiftJis = false;
    this.changed();
  }

  setCodepage(n: number): void {
    this.codepage = n;
    this.changed();
  }
  setInternational(n: number): void {
    this.remap = internationalRemap(n);
    this.changed();
  }
  setCjk(on: boolean): void {
    this.cjkExplicit = on;
    this.changed();
  }
  setUtf8(on: boolean): void {
    this.utf8 = on;
    this.changed();
  }
  setShiftJis(on: boolean): void {
    this.shiftJis = on;
    this.changed();
  }
  get inCjk(): boolean {
    return this.cjkExplicit ?? this.cjkPower ?? false;
  }

  /** Identifies how bytes decode right now: a text run is split where this changes. */
  get key(): number {
    return this.changes;
  }

  /** The code page `ESC t n` selects under a fixed profile. */
  private fixedCodepage(n: number): string {
    return this.profile?.codepages.get(n) ?? 'cp437';
  }

  /** Decode `buf[start, end)` as one run under the current state. */
  decode(buf: Buffer, start: number, end: number): string {
    const fn = this.current();
    let text: string;
    if (fn !== null) text = fn(buf, start, end);
    else if (asciiOnly(buf, start, end)) text = buf.toString('latin1', start, end);
    else text = this.decodeAuto(buf.subarray(start, end));
    return this.remap ? applyRemap(text, this.remap) : text;
  }

  /** The decoder for the current state, or null while it depends on `auto`'s guesses. */
  private current(): TextDecodeFn | null {
    let fn = this.fixed;
    if (fn === null) {
      if (this.utf8) fn = decoderFor('utf-8');
      else if (this.shiftJis) fn = decoderFor('shift_jis');
      else if (this.inCjk) fn = decoderFor(this.cjkEncoding);
      else if (this.profile) fn = decoderFor(this.fixedCodepage(this.codepage));
      else if (this.candidates.get(this.codepage)?.length === 1 && this.cjkPower === false) {
        fn = decoderFor(this.candidates.get(this.codepage)![0]!.encoding);
      }
      this.fixed = fn;
    }
    return fn;
  }

  /**
   * The text of `buf[start, end)` when it decodes one UTF-16 unit per byte right now (a
   * single-byte code page known for sure, or ASCII), else null: then the stretch may be decoded
   * whole and each run cut out of it by offset. The international set keeps this: it replaces
   * characters one for one. `textAscii`: the text runs in the stretch are known to be ASCII (the
   * bytes between them, commands, may be anything: they are decoded too, then cut away).
   */
  decodeOneToOne(buf: Buffer, start: number, end: number, textAscii: boolean): string | null {
    const fn = this.current();
    let text: string;
    // ASCII reads as latin1 under every decoder but the 7-bit national tables, and under `auto`
    // before it has decided; latin1 gives one character per byte of the commands between.
    if (textAscii && (fn === null || decodesAsciiAsIs(fn))) text = buf.toString('latin1', start, end);
    else if (fn !== null && isOneToOne(fn)) text = fn(buf, start, end);
    else return null;
    return this.remap ? applyRemap(text, this.remap) : text;
  }

  private leader(): string | undefined {
    let best: string | undefined;
    let bestVotes = 0;
    for (const [name, v] of this.votes) {
      if (v > bestVotes) {
        best = name;
        bestVotes = v;
      }
    }
    return best;
  }

  private decodeAuto(bytes: Uint8Array): string {
    const list = this.candidates.get(this.codepage) ?? [{ encoding: 'cp437', vendors: [] }];
    const leader = this.leader();
    let best: { text: string; score: number; cand: Candidate } | undefined;
    const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (const cand of list) {
      const text = decoderFor(cand.encoding)(buf, 0, buf.length);
      // The leading vendor gets a small bias so that one map is used consistently when the text
      // itself cannot tell (ties, short runs).
      const score = plausibility(text) + (leader && cand.vendors.includes(leader) ? 1.5 : 0);
      if (!best || score > best.score) best = { text, score, cand };
    }
    const chosen = best!;
    if (this.cjkPower === null && this.cjkEncoding === 'gb18030') {
      const gb = gbScore(bytes);
      if (gb > 0 && gb > chosen.score) {
        this.cjkPower = true;
        this.changed();
        return decoderFor(this.cjkEncoding)(buf, 0, buf.length);
      }
      // A printer that printed plain code-page text three times over is not in CJK mode: stop
      // asking (code pages vendors agree on then decode without scoring).
      if (gb < 0 && chosen.score >= 3 && ++this.notCjk >= 3) {
        this.cjkPower = false;
        this.changed();
      }
    }
    if (list.length > 1) {
      for (const v of chosen.cand.vendors) this.votes.set(v, (this.votes.get(v) ?? 0) + 1);
    }
    return chosen.text;
  }

  autoReport(): AutoReport {
    return { vendorVotes: Object.fromEntries(this.votes), cjkPowerOn: this.cjkPower };
  }
}
