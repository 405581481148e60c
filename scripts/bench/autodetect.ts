/**
 * How good is `--profile auto` at choosing code pages? For every vendor profile and every `ESC t n`
 * of its map, each sample sentence that the code page can encode is sent the way that vendor's
 * printer expects it, then decoded with `auto` and with the right profile. Two scenarios:
 *   - line: one sentence alone (auto has nothing else to go on);
 *   - receipt: the same printer prints several sentences under several code pages in one stream
 *     (auto can learn which vendor it is from the earlier lines).
 * Prints exact-match rates per vendor and overall. Run: npm run build && node dist/scripts/bench/autodetect.js
 */
import CodepageEncoder, { type Codepage } from '@point-of-sale/codepage-encoder';
import { decodeBytes } from '../../src/escpos/codepages.js';
import { allProfiles } from '../../src/escpos/profiles.js';
import { decodeBuffer } from '../../src/receipt/decoder.js';

export const SENTENCES: readonly string[] = [
  'Quizdeltagerne spiste jordbær med fløde, mens cirkusklovnen Wolther spillede på xylofon.',
  'Falsches Üben von Xylophonmusik quält jeden größeren Zwerg.',
  'El pingüino Wenceslao hizo kilómetros bajo exhaustiva lluvia y frío, añoraba a su querido cachorro.',
  "Le cœur déçu mais l'âme plutôt naïve, Louÿs rêva de crapaüter en canoë au delà des îles.",
  'À noite, vovô Kowalsky vê o ímã cair no pé do pingüim queixoso e vovó põe açúcar no chá.',
  'Kæmi ný öxi hér ykist þjófum nú bæði víl og ádrepa.',
  'Pchnąć w tę łódź jeża lub ośm skrzyń fig.',
  'Příliš žluťoučký kůň úpěl ďábelské ódy.',
  'Árvíztűrő tükörfúrógép.',
  'Pijamalı hasta, yağız şoföre çabucak güvendi.',
  'Ξεσκεπάζω την ψυχοφθόρα βδελυγμία.',
  'В чащах юга жил бы цитрус? Да, но фальшивый экземпляр!',
  'Чуєш їх, доцю, га? Кумедна ж ти, прощайся без ґольфів!',
  'Glāžšķūņa rūķīši dzērumā čiepj Baha koncertflīģeļu vākus.',
  'Įlinkdama fechtuotojo špaga sublykčiojusi pragręžė apvalų arbūzą.',
  'דג סקרן שט בים מאוכזב ולפתע מצא לו חברה',
  'صِف خَلقَ خَودِ كَمِثلِ الشَمسِ إِذ بَزَغَت',
  'Tiếng Việt là ngôn ngữ chính thức tại Việt Nam.',
  'นายสังฆภัณฑ์ เฮงพิทักษ์ฝั่ง ผู้เฒ่าซึ่งมีอาชีพเป็นฅนขายฃวด',
  'ｲﾛﾊﾆﾎﾍﾄ ﾁﾘﾇﾙｦ ﾜｶﾖﾀﾚｿ ﾂﾈﾅﾗﾑ',
  'Total € 12,50 — Café crème, Crêpe Suzette, Bœuf',
  // Short receipt lines: one or two letters of evidence.
  'Café au lait 2,50',
  'Größe M 19,99',
  'Crème brûlée',
  'Çay 2 x 15,00 TL',
  'Łosoś 12,99 zł',
  'Хлеб 45,00',
  'Сумма 1 250,00',
  'Καφές 3,50',
  'Pão de açúcar',
  'Smørrebrød',
  'Jalapeño',
  'Ärtsoppa',
];

const isCodepage = (name: string): name is Codepage => CodepageEncoder.supports(name);

const supportCache = new Map<string, Set<number>>();
function encodable(text: string, codepage: Codepage): boolean {
  let set = supportCache.get(codepage);
  if (!set) {
    set = new Set(CodepageEncoder.getCodepoints(codepage, true));
    supportCache.set(codepage, set);
  }
  for (const ch of text) if (!set.has(ch.codePointAt(0)!)) return false;
  return true;
}

interface Case {
  readonly vendor: string;
  readonly n: number;
  readonly codepage: Codepage;
  readonly text: string;
}

function casesFor(vendor: string, codepages: ReadonlyMap<number, string>): Case[] {
  const out: Case[] = [];
  for (const [n, codepage] of codepages) {
    if (!isCodepage(codepage)) continue;
    for (const text of SENTENCES) {
      // Only sentences with something beyond ASCII say anything about code pages.
      if (/^[\x20-\x7e]*$/.test(text) || !encodable(text, codepage)) continue;
      out.push({ vendor, n, codepage, text });
    }
  }
  return out;
}

function stream(cases: readonly Case[], cjkFirst: boolean): Uint8Array {
  // A printer that powers up in CJK mode must be taken out of it (FS .) to print code pages.
  const parts: Uint8Array[] = [Uint8Array.of(0x1b, 0x40), ...(cjkFirst ? [Uint8Array.of(0x1c, 0x2e)] : [])];
  for (const c of cases) {
    parts.push(Uint8Array.of(0x1b, 0x74, c.n), CodepageEncoder.encode(c.text, c.codepage), Uint8Array.of(0x0a));
  }
  return Buffer.concat(parts);
}

function decodedLines(bytes: Uint8Array, profile: string): string[] {
  const r = decodeBuffer(bytes, { profile: profile as 'auto' });
  return r.receipts.flatMap((x) => x.lines.map((l) => l.text));
}

/** Whether another vendor's map for the same `ESC t n` would print these bytes differently. */
function ambiguous(c: Case): boolean {
  const bytes = Buffer.from(CodepageEncoder.encode(c.text, c.codepage));
  const seen = new Set<string>();
  for (const p of allProfiles()) {
    const cp = p.codepages.get(c.n) ?? 'cp437';
    if (p.dialect === 'star-line') continue;
    seen.add(decodeBytes(bytes, cp));
  }
  return seen.size > 1;
}

export interface AutoScore {
  readonly vendor: string;
  readonly cases: number;
  /** Cases where vendors' maps disagree, and how many of those `auto` got right line by line. */
  readonly ambiguous: number;
  readonly ambiguousRight: number;
  readonly lineAuto: number;
  readonly receiptAuto: number;
  readonly fixedProfile: number;
}

export function measure(): AutoScore[] {
  const scores: AutoScore[] = [];
  for (const p of allProfiles()) {
    if (p.dialect === 'star-line') continue;
    const cases = casesFor(p.name, p.codepages);
    let lineAuto = 0;
    let amb = 0;
    let ambRight = 0;
    for (const c of cases) {
      const right = decodedLines(stream([c], p.startsInCjk), 'auto')[0] === c.text;
      if (right) lineAuto++;
      if (ambiguous(c)) {
        amb++;
        if (right) ambRight++;
      }
    }
    const all = stream(cases, p.startsInCjk);
    const auto = decodedLines(all, 'auto');
    const fixed = decodedLines(all, p.name);
    let receiptAuto = 0;
    let fixedProfile = 0;
    cases.forEach((c, i) => {
      if (auto[i] === c.text) receiptAuto++;
      if (fixed[i] === c.text) fixedProfile++;
    });
    scores.push({ vendor: p.name, cases: cases.length, ambiguous: amb, ambiguousRight: ambRight, lineAuto, receiptAuto, fixedProfile });
  }
  return scores;
}

function pct(a: number, b: number): string {
  return b === 0 ? '   -  ' : `${((100 * a) / b).toFixed(1).padStart(5)}%`;
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  const scores = measure();
  console.log('exact lines decoded; "ambiguous" = vendors\' maps for that ESC t n print the bytes differently');
  console.log('profile      cases  auto(line alone)  ambiguous  auto on ambiguous  auto(whole receipt)  right profile');
  let t = { cases: 0, line: 0, amb: 0, ambRight: 0, receipt: 0, fixed: 0 };
  const row = (name: string, cases: number, line: number, amb: number, ambRight: number, receipt: number, fixed: number): string =>
    `${name.padEnd(12)} ${String(cases).padStart(5)}  ${pct(line, cases).padStart(16)}  ${String(amb).padStart(9)}  ${pct(ambRight, amb).padStart(17)}  ${pct(receipt, cases).padStart(19)}  ${pct(fixed, cases).padStart(13)}`;
  for (const s of scores) {
    console.log(row(s.vendor, s.cases, s.lineAuto, s.ambiguous, s.ambiguousRight, s.receiptAuto, s.fixedProfile));
    t = {
      cases: t.cases + s.cases,
      line: t.line + s.lineAuto,
      amb: t.amb + s.ambiguous,
      ambRight: t.ambRight + s.ambiguousRight,
      receipt: t.receipt + s.receiptAuto,
      fixed: t.fixed + s.fixedProfile,
    };
  }
  console.log(row('all', t.cases, t.line, t.amb, t.ambRight, t.receipt, t.fixed));
}
