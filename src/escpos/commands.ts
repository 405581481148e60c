/**
 * The declarative command tables: Epson ESC/POS as the base, the Chinese clones' overlay, and Star
 * Line mode as a table of its own (it is a different language, never mixed with ESC/POS).
 * Lengths are those of shared/docs/escpos-lengths.md.
 */
import {
  type LengthRule,
  byParam,
  dleDc4,
  dleEot,
  escAmp,
  escD,
  escStar,
  escZ,
  fixed,
  fsq,
  gsQ0,
  gsStar,
  gsk,
  gsv0,
  INVALID,
  NEED_MORE,
  nulTerminated,
  p1p4,
  param3,
  pLpH,
  starBarcode,
  starRaster,
} from './lengths.js';

export const ESC = 0x1b;
export const GS = 0x1d;
export const FS = 0x1c;
export const DLE = 0x10;

export interface CommandDef {
  /** Stable id, the command's bytes as written in the manuals: `GS ( k`. */
  readonly id: string;
  /** The command's first two bytes as one number (`GS V` → 0x1d56): what the interpreter switches on. */
  readonly code: number;
  /** What it does, for people reading a trace. */
  readonly name: string;
  readonly len: LengthRule;
}

export interface CommandTable {
  readonly dialect: string;
  /** Bytes that start a multi-byte command. */
  readonly introducers: ReadonlySet<number>;
  /** `byIntro[intro][second byte]`. */
  readonly byIntro: ReadonlyMap<number, ReadonlyArray<CommandDef | undefined>>;
}

type Spec = readonly [seq: string, len: number | LengthRule, name: string];

const NAMED: Record<string, number> = {
  NUL: 0, SOH: 1, STX: 2, ETX: 3, EOT: 4, ENQ: 5, ACK: 6, BEL: 7, BS: 8, HT: 9, LF: 10, VT: 11,
  FF: 12, CR: 13, SO: 14, SI: 15, DLE: 16, DC1: 17, DC2: 18, DC3: 19, DC4: 20, NAK: 21, SYN: 22,
  ETB: 23, CAN: 24, EM: 25, SUB: 26, ESC: 27, FS: 28, GS: 29, RS: 30, US: 31, SP: 32,
};

function seqBytes(seq: string): number[] {
  return seq.split(' ').map((part) => NAMED[part] ?? part.charCodeAt(0));
}

/** `GS V` → 0x1d56: the first two bytes of a command id. */
export function codeOf(id: string): number {
  const [a, b] = seqBytes(id);
  return ((a ?? 0) << 8) | (b ?? 0);
}

const EPSON_BASE: Spec[] = [
  // ESC, 2 bytes
  ['ESC @', 2, 'initialize printer'],
  ['ESC 2', 2, 'default line spacing'],
  ['ESC <', 2, 'return home'],
  ['ESC L', 2, 'select page mode'],
  ['ESC S', 2, 'select standard mode'],
  ['ESC FF', 2, 'print data in page mode'],
  ['ESC i', 2, 'partial cut (legacy)'],
  ['ESC m', 2, 'partial cut, three points left (legacy)'],
  ['ESC q', 2, 'clear buffer'],
  ['ESC v', 2, 'transmit paper sensor status'],
  // ESC, 3 bytes
  ['ESC SP', 3, 'right-side character spacing'],
  ['ESC !', 3, 'select print mode'],
  ['ESC %', 3, 'select user-defined character set'],
  ['ESC -', param3([0, 1, 2, 48, 49, 50]), 'underline mode'],
  ['ESC 3', 3, 'set line spacing'],
  ['ESC =', 3, 'select peripheral device'],
  ['ESC ?', 3, 'cancel user-defined characters'],
  ['ESC C', 3, 'select bar code height (legacy)'],
  ['ESC E', 3, 'emphasized mode'],
  ['ESC G', 3, 'double-strike mode'],
  ['ESC J', 3, 'print and feed paper'],
  ['ESC K', 3, 'print and reverse feed'],
  ['ESC M', param3([0, 1, 2, 3, 4, 48, 49, 50, 51, 52, 97, 98]), 'select character font'],
  ['ESC R', param3([...Array(18).keys(), 66, 67, 68, 69, 70, 71, 72, 73, 74, 75, 82]), 'select international character set'],
  ['ESC T', 3, 'select print direction in page mode'],
  ['ESC U', 3, 'unidirectional printing'],
  ['ESC V', param3([0, 1, 2, 48, 49, 50]), '90° rotation'],
  ['ESC a', param3([0, 1, 2, 48, 49, 50]), 'select justification'],
  ['ESC d', 3, 'print and feed n lines'],
  ['ESC e', 3, 'print and reverse feed n lines'],
  ['ESC r', param3([0, 1, 48, 49]), 'select print color'],
  ['ESC t', 3, 'select character code table'],
  ['ESC u', 3, 'transmit peripheral device status'],
  ['ESC {', 3, 'upside-down print mode'],
  // ESC, 4 and more
  ['ESC $', 4, 'set absolute print position'],
  ['ESC \\', 4, 'set relative print position'],
  ['ESC c', byParam(2, { 0x30: 4, 0x31: 4, 0x33: 4, 0x34: 4, 0x35: 4 }), 'paper sensor / panel settings'],
  ['ESC f', 4, 'wait for paper insertion'],
  ['ESC p', 5, 'generate pulse (drawer kick)'],
  ['ESC W', 10, 'set print area in page mode'],
  ['ESC *', escStar, 'select bit-image mode'],
  ['ESC D', escD, 'set horizontal tab positions'],
  ['ESC &', escAmp, 'define user-defined characters'],
  // GS
  ['GS :', 2, 'start/end macro definition'],
  ['GS c', 2, 'print counter'],
  ['GS !', 3, 'select character size'],
  ['GS B', 3, 'white/black reverse print'],
  ['GS E', 3, 'select head control method'],
  ['GS H', param3([0, 1, 2, 3, 48, 49, 50, 51]), 'select HRI character position'],
  ['GS I', 3, 'transmit printer ID'],
  ['GS T', param3([0, 1, 48, 49]), 'set print position to beginning of line'],
  ['GS a', 3, 'enable/disable automatic status back'],
  ['GS b', 3, 'smoothing mode'],
  ['GS f', param3([0, 1, 2, 3, 4, 48, 49, 50, 51, 52, 97, 98]), 'select HRI font'],
  ['GS h', 3, 'set bar code height'],
  ['GS j', 3, 'enable/disable automatic ink status back'],
  ['GS r', 3, 'transmit status'],
  ['GS w', 3, 'set bar code width'],
  ['GS /', 3, 'print downloaded bit image'],
  ['GS $', 4, 'set absolute vertical position in page mode'],
  ['GS L', 4, 'set left margin'],
  ['GS P', 4, 'set horizontal and vertical motion units'],
  ['GS W', 4, 'set print area width'],
  ['GS \\', 4, 'set relative vertical position in page mode'],
  ['GS ^', 5, 'execute macro'],
  ['GS z', byParam(2, { 0x30: 5 }), 'set online recovery wait time'],
  ['GS g', byParam(2, { 0x30: 6, 0x32: 6 }), 'maintenance counter'],
  ['GS V', byParam(2, { 0: 3, 1: 3, 48: 3, 49: 3, 65: 4, 66: 4, 97: 4, 98: 4, 103: 4, 104: 4 }), 'cut paper'],
  ['GS k', gsk, 'print bar code'],
  ['GS v', gsv0, 'print raster bit image'],
  ['GS Q', gsQ0, 'print variable vertical size bit image'],
  ['GS *', gsStar, 'define downloaded bit image'],
  ['GS 8', (b, p, n) => (n < 3 ? NEED_MORE : b[p + 2] === 0x4c ? p1p4(b, p, n) : INVALID), 'graphics data (large)'],
  // FS
  ['FS &', 2, 'select Kanji character mode'],
  ['FS .', 2, 'cancel Kanji character mode'],
  ['FS L', 2, 'label paper control'],
  ['FS !', 3, 'select print mode for Kanji characters'],
  ['FS -', 3, 'underline for Kanji characters'],
  ['FS C', 3, 'select Kanji character code system'],
  ['FS W', 3, 'quadruple-size Kanji characters'],
  ['FS S', 4, 'set Kanji character spacing'],
  ['FS ?', 4, 'cancel user-defined Kanji characters'],
  [
    'FS p',
    (b, p, n) => (n < 4 ? NEED_MORE : b[p + 2]! >= 1 && (b[p + 3]! <= 3 || (b[p + 3]! >= 48 && b[p + 3]! <= 51)) ? 4 : INVALID),
    'print NV bit image',
  ],
  ['FS 2', 4 + 72, 'define user-defined Kanji characters'],
  ['FS q', fsq, 'define NV bit image'],
  // DLE (real-time)
  ['DLE EOT', dleEot, 'transmit real-time status'],
  ['DLE ENQ', 3, 'send real-time request'],
  ['DLE DC4', dleDc4, 'real-time command'],
];

/** `GS ( X pL pH …` and `FS ( X pL pH …`: the function byte is the third byte. */
const GS_PAREN = 'ABCDEGHKLMNPQkz';
const FS_PAREN = 'ACELefg';
const ESC_PAREN = 'AY';

const CLONE_OVERLAY: Spec[] = [
  ['ESC B', 4, 'buzzer (Chinese clones)'],
  ['GS Z', 3, 'select 2-D code type (legacy)'],
  ['ESC Z', escZ, 'print 2-D code (legacy)'],
];

/** Star Line mode `ESC GS x …` and `ESC RS x …` sub-commands. */
const starEscGs: LengthRule = (b, p, n) => {
  if (n < 3) return NEED_MORE;
  switch (b[p + 2]) {
    case 0x61: // ESC GS a n: alignment
    case 0x74: // ESC GS t n: code page
      return 4;
    case 0x03: // ESC GS ETX s n1 n2: status
    case 0x41: // ESC GS A n1 n2: absolute position
    case 0x52: // ESC GS R n1 n2: relative position
      return b[p + 2] === 0x03 ? 6 : 5;
    case 0x79: // ESC GS y …: QR code
    case 0x78: {
      // ESC GS x …: PDF417
      if (n < 4) return NEED_MORE;
      const op = b[p + 3]!;
      if (op === 0x50) return 4; // P: print
      if (op === 0x53) return byParam(4, { 0: 6, 0x30: 6, 1: 6, 0x31: 6, 2: 6, 0x32: 6, 3: 6, 0x33: 6 })(b, p, n);
      if (op === 0x44) {
        // QR: ESC GS y D 1 m nL nH d…; PDF417: ESC GS x D nL nH d…
        if (b[p + 2] === 0x79) return n < 8 ? NEED_MORE : 8 + (b[p + 6]! | (b[p + 7]! << 8));
        return n < 6 ? NEED_MORE : 6 + (b[p + 4]! | (b[p + 5]! << 8));
      }
      if (op === 0x49) return 4; // I: info
      return INVALID;
    }
    default:
      return INVALID;
  }
};

const STAR_LINE: Spec[] = [
  ['ESC @', 2, 'initialize printer'],
  ['ESC E', 2, 'emphasized printing on'],
  ['ESC F', 2, 'emphasized printing off'],
  ['ESC 4', 2, 'highlight (white/black reverse) on'],
  ['ESC 5', 2, 'highlight off'],
  ['ESC SO', 2, 'double width on'],
  ['ESC DC4', 2, 'double width off'],
  ['ESC 0', 2, 'line spacing 1/8 inch'],
  ['ESC 2', 2, 'line spacing 1/6 inch'],
  ['ESC 6', 2, 'select character set 2'],
  ['ESC 7', 2, 'select character set 1'],
  ['ESC M', 2, 'select 12-dot pitch'],
  ['ESC P', 2, 'select 15-dot pitch'],
  ['ESC :', 2, 'select 16-dot pitch'],
  ['ESC O', 2, 'cancel bottom margin'],
  ['ESC ACK', byParam(2, { 1: 3 }), 'automatic status'],
  ['ESC -', 3, 'underline mode'],
  ['ESC _', 3, 'upperline mode'],
  ['ESC W', 3, 'double width'],
  ['ESC h', 3, 'double height'],
  ['ESC 1', 3, 'set line spacing n/72 inch'],
  ['ESC z', 3, 'set line spacing'],
  ['ESC A', 3, 'set n/72 inch line feed'],
  ['ESC a', 3, 'feed n lines'],
  ['ESC J', 3, 'feed paper n/4 mm'],
  ['ESC j', 3, 'reverse feed'],
  ['ESC I', 3, 'feed paper n/8 mm'],
  ['ESC d', 3, 'cut paper'],
  ['ESC R', 3, 'select international character set'],
  ['ESC /', 3, 'slashed zero'],
  ['ESC l', 3, 'set left margin'],
  ['ESC Q', 3, 'set right margin'],
  ['ESC N', 3, 'set bottom margin'],
  ['ESC SP', 3, 'right-side character spacing'],
  ['ESC s', 4, 'character spacing'],
  ['ESC i', 4, 'expanded characters'],
  ['ESC C', (b, p, n) => (n < 3 ? NEED_MORE : b[p + 2] === 0 ? 4 : 3), 'set page length'],
  ['ESC BEL', 4, 'drawer pulse width'],
  ['ESC RS', 4, 'Star extended setting'],
  ['ESC GS', starEscGs, 'Star extended command'],
  ['ESC b', starBarcode, 'print bar code'],
  ['ESC D', nulTerminated(2, 32), 'set horizontal tab positions'],
  ['ESC B', nulTerminated(2, 32), 'set vertical tab positions'],
  ['ESC K', (b, p, n) => (n < 4 ? NEED_MORE : 4 + b[p + 2]! + b[p + 3]! * 256), 'normal density bit image'],
  ['ESC X', (b, p, n) => (n < 4 ? NEED_MORE : 4 + 3 * (b[p + 2]! + b[p + 3]! * 256)), '24-dot bit image'],
  ['ESC k', (b, p, n) => (n < 4 ? NEED_MORE : 4 + 24 * b[p + 2]!), '24-row raster band'],
  ['ESC L', (b, p, n) => (n < 4 ? NEED_MORE : 4 + 2 * (b[p + 2]! + b[p + 3]! * 256)), 'high density bit image'],
  ['ESC *', (b, p, n) => (n < 3 ? NEED_MORE : b[p + 2] === 0x72 ? starRaster(b, p, n) : INVALID), 'raster mode'],
];

function expand(specs: Spec[]): Map<string, CommandDef> {
  const out = new Map<string, CommandDef>();
  for (const [seq, len, name] of specs) {
    out.set(seq, { id: seq, code: codeOf(seq), name, len: typeof len === 'number' ? fixed(len) : len });
  }
  return out;
}

function withParens(defs: Map<string, CommandDef>): Map<string, CommandDef> {
  const parens: Array<[string, string]> = [
    ['GS', GS_PAREN],
    ['FS', FS_PAREN],
    ['ESC', ESC_PAREN],
  ];
  for (const [intro, fns] of parens) {
    const id = `${intro} (`;
    const ids = new Map<number, string>([...fns].map((c) => [c.charCodeAt(0), `${intro} ( ${c}`]));
    const rule = pLpH(3);
    // One entry for `X (`: its rule checks that the function byte is one we know.
    defs.set(id, {
      id,
      code: codeOf(id),
      name: 'extended function',
      len: (b, p, n) => (n < 3 ? NEED_MORE : ids.has(b[p + 2]!) ? rule(b, p, n) : INVALID),
    });
  }
  return defs;
}

function build(dialect: string, defs: Map<string, CommandDef>): CommandTable {
  const byIntro = new Map<number, Array<CommandDef | undefined>>();
  for (const def of defs.values()) {
    const [intro, second] = seqBytes(def.id);
    if (intro === undefined || second === undefined) throw new Error(`bad command id ${def.id}`);
    let row = byIntro.get(intro);
    if (!row) byIntro.set(intro, (row = new Array<CommandDef | undefined>(256).fill(undefined)));
    // `DLE EOT` and friends are two named bytes; keep the id as written.
    row[second] = def;
  }
  return { dialect, introducers: new Set(byIntro.keys()), byIntro };
}

/** Epson ESC/POS as documented, no vendor extensions. */
export const EPSON_TABLE: CommandTable = build('epson', withParens(expand(EPSON_BASE)));

/** Epson plus the Chinese clones' additions (`ESC B`, `GS Z`, `ESC Z`), which clash with nothing. */
export const CLONE_TABLE: CommandTable = build(
  'clone',
  withParens(new Map([...expand(EPSON_BASE), ...expand(CLONE_OVERLAY)])),
);

/** Star Line mode: ESC is the only introducer. */
export const STAR_LINE_TABLE: CommandTable = build('star-line', expand(STAR_LINE));

export type Dialect = 'epson' | 'clone' | 'star-line';

export function tableFor(dialect: Dialect): CommandTable {
  switch (dialect) {
    case 'epson':
      return EPSON_TABLE;
    case 'clone':
      return CLONE_TABLE;
    case 'star-line':
      return STAR_LINE_TABLE;
  }
}

/** The full id of a command token, resolving `GS ( k`-style function bytes. */
export function commandId(def: CommandDef, raw: Uint8Array): string {
  if (def.id.endsWith(' (') && raw.length > 2) return `${def.id} ${String.fromCharCode(raw[2]!)}`;
  return def.id;
}
