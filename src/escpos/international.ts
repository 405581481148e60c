/**
 * `ESC R n` international character sets: the printer replaces twelve ASCII positions
 * (# $ @ [ \ ] ^ ` { | } ~). It matters for money: n=15 (China) prints `$` as ¥, n=8 (Japan)
 * prints `\` as ¥, n=3 (UK) prints `#` as £.
 */
const POSITIONS = '#$@[\\]^`{|}~';

const SETS: Readonly<Record<number, string>> = {
  0: '#$@[\\]^`{|}~', // USA
  1: '#$à°ç§^`éùè¨', // France
  2: '#$§ÄÖÜ^`äöüß', // Germany
  3: '£$@[\\]^`{|}~', // UK
  4: '#$@ÆØÅ^`æøå~', // Denmark I
  5: '#¤ÉÄÖÅÜéäöåü', // Sweden
  6: '#$@°\\é^ùàòèì', // Italy
  7: '₧$@¡Ñ¿^`¨ñ}~', // Spain I
  8: '#$@[¥]^`{|}~', // Japan
  9: '#¤ÉÆØÅÜéæøåü', // Norway
  10: '#$ÉÆØÅÜéæøåü', // Denmark II
  11: '#$á¡Ñ¿é`íñóú', // Spain II
  12: '#$á¡Ñ¿éüíñóú', // Latin America
  13: '#$@[₩]^`{|}~', // Korea
  14: '#$ŽŠĐĆČžšđćč', // Slovenia / Croatia
  15: '#¥@[\\]^`{|}~', // China
  16: '#₫@[\\]^`{|}~', // Vietnam
  17: '#$@[\\]^`{|}~', // Arabia
  66: '#$@[\\]^`{|}~', // India (Devanagari): ASCII positions unchanged
};

export type Remap = ReadonlyMap<string, string>;
const cache = new Map<number, Remap | null>();

/** The replacements for set `n`, or null when it prints ASCII as ASCII. */
export function internationalRemap(n: number): Remap | null {
  const key = n;
  if (cache.has(key)) return cache.get(key)!;
  const chars = SETS[key];
  let map: Map<string, string> | null = null;
  if (chars && chars !== POSITIONS) {
    map = new Map();
    for (let i = 0; i < POSITIONS.length; i++) {
      if (chars[i] !== POSITIONS[i]) map.set(POSITIONS[i]!, chars[i]!);
    }
  }
  cache.set(key, map);
  return map;
}

const NEEDS = /[#$@[\\\]^`{|}~]/;

export function applyRemap(text: string, map: Remap | null): string {
  if (!map || !NEEDS.test(text)) return text;
  let out = '';
  for (const ch of text) out += map.get(ch) ?? ch;
  return out;
}
