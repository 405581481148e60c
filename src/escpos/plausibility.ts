/**
 * How plausible a decoded run of receipt text is, so that `auto` can choose between the code pages
 * vendors disagree on. Only non-ASCII characters carry evidence (ASCII decodes alike under every
 * candidate): letters next to letters of the same script score up, box drawing, maths and
 * undefined characters inside words score down.
 */

const enum Script {
  None = 0,
  Latin,
  Greek,
  Cyrillic,
  Hebrew,
  Arabic,
  Thai,
  Kana,
  Han,
  Hangul,
  Khmer,
  Other,
}

function scriptOf(c: number): Script {
  if ((c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)) return Script.Latin;
  if (c < 0xc0) return Script.None;
  if (c <= 0x24f) return c === 0xd7 || c === 0xf7 ? Script.None : Script.Latin;
  if (c >= 0x370 && c <= 0x3ff) return Script.Greek;
  if (c >= 0x400 && c <= 0x52f) return Script.Cyrillic;
  if (c >= 0x591 && c <= 0x5f4) return Script.Hebrew;
  if ((c >= 0x600 && c <= 0x6ff) || (c >= 0xfb50 && c <= 0xfeff)) return Script.Arabic;
  if (c >= 0xe01 && c <= 0xe5b) return Script.Thai;
  if (c >= 0x1e00 && c <= 0x1eff) return Script.Latin;
  if ((c >= 0x3040 && c <= 0x30ff) || (c >= 0xff66 && c <= 0xff9f)) return Script.Kana;
  if ((c >= 0x4e00 && c <= 0x9fff) || (c >= 0x3400 && c <= 0x4dbf)) return Script.Han;
  if (c >= 0xac00 && c <= 0xd7a3) return Script.Hangul;
  if (c >= 0x1780 && c <= 0x17ff) return Script.Khmer;
  return Script.None;
}

function isJunk(c: number): boolean {
  return (
    c === 0xfffd ||
    (c >= 0x80 && c <= 0x9f) ||
    (c >= 0xe000 && c <= 0xf8ff) ||
    (c >= 0x2500 && c <= 0x25ff) || // box drawing, blocks, geometric shapes
    (c >= 0x2200 && c <= 0x23ff) || // maths, technical
    (c >= 0x2190 && c <= 0x21ff) || // arrows
    (c >= 0x2580 && c <= 0x259f)
  );
}

/** Higher is more plausible. 0 for pure ASCII. */
export function plausibility(s: string): number {
  let score = 0;
  const n = s.length;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    const prev = i > 0 ? s.charCodeAt(i - 1) : 0x20;
    const next = i + 1 < n ? s.charCodeAt(i + 1) : 0x20;
    const sp = scriptOf(prev);
    const sn = scriptOf(next);
    if (isJunk(c)) {
      score -= sp !== Script.None || sn !== Script.None ? 4 : 2;
      continue;
    }
    const sc = scriptOf(c);
    if (sc === Script.None) {
      // Punctuation, currency, ¿ ¡ « »: plausible alone, odd inside a word.
      if (sp !== Script.None && sn !== Script.None) score -= 1;
      continue;
    }
    score += 1;
    for (const other of [sp, sn]) {
      if (other === Script.None) continue;
      if (other === sc) score += 2;
      else if (sc !== Script.Han && sc !== Script.Kana && other !== Script.Han) score -= 2;
    }
    // Upper case letter right after a lower case one of the same word: rare in real text.
    if (sp === sc && isLower(prev) && isUpper(c)) score -= 1;
  }
  return score;
}

function isUpper(c: number): boolean {
  const ch = String.fromCharCode(c);
  return ch !== ch.toLowerCase() && ch === ch.toUpperCase();
}
function isLower(c: number): boolean {
  const ch = String.fromCharCode(c);
  return ch !== ch.toUpperCase() && ch === ch.toLowerCase();
}

/**
 * How much a byte run looks like GB2312/GBK Chinese. Common hanzi (GB2312 level 1) and full-width
 * punctuation score up; byte pairs that are not valid GBK score down hard.
 */
export function gbScore(bytes: Uint8Array): number {
  let score = 0;
  const n = bytes.length;
  for (let i = 0; i < n; i++) {
    const b = bytes[i]!;
    if (b < 0x80) continue;
    const t = i + 1 < n ? bytes[i + 1]! : -1;
    if (b === 0x80 || b === 0xff) {
      score -= 6;
      continue;
    }
    if (t >= 0x30 && t <= 0x39) {
      // Four-byte GB18030: rare on receipts, plausible only when well-formed.
      const t2 = i + 2 < n ? bytes[i + 2]! : -1;
      const t3 = i + 3 < n ? bytes[i + 3]! : -1;
      if (t2 >= 0x81 && t2 <= 0xfe && t3 >= 0x30 && t3 <= 0x39) score += 1;
      else score -= 6;
      i += 3;
      continue;
    }
    if (t < 0x40 || t === 0x7f || t === 0xff) {
      score -= 6;
      i += 1;
      continue;
    }
    if (b >= 0xb0 && b <= 0xd7 && t >= 0xa1) score += 4;
    else if (b >= 0xa1 && b <= 0xa9 && t >= 0xa1) score += 2;
    else if (b >= 0xd8 && b <= 0xf7 && t >= 0xa1) score += 2;
    else score += 0;
    i += 1;
  }
  return score;
}
