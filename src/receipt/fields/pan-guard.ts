/**
 * The card-number guard: no full card number leaves the decoder. Any run of 13–19 digits (spaces
 * or dashes allowed between them) that passes the Luhn check and starts like a payment card keeps
 * its first 6 and last 4 digits; the digits between become `*`, the length and separators stay
 * (offsets into a journal still hold). Track data is removed and labelled CVV/CVC and expiry
 * values are starred.
 *
 * "Starts like a payment card": the issuer ranges of the schemes — Mir 2200–2204, Mastercard
 * 2221–2720 and 51–55, Diners 30/36/38/39, Amex 34/37, JCB 35, Visa 4, Maestro 50/56–58, and
 * 6 (UnionPay 62, Discover, RuPay, Maestro 6x). Merchant numbers (UnionPay MIDs start with 8 or
 * 1), dates (20261120 091000) and date-based order numbers (2026081420…) pass Luhn one time in
 * ten; masking them would break reconciliation and protect nothing. For the same reason a run
 * glued to letters (order numbers such as P2636623069136080) and a run right after a label that
 * names another number (MID, 商户编号, TID, order, reference) is not a card number.
 */

/** Whether a digit string starts within a payment scheme's issuer ranges (see above). */
export function cardPrefix(d: string): boolean {
  switch (d[0]) {
    case '2': {
      const four = Number(d.slice(0, 4));
      return (four >= 2200 && four <= 2204) || (four >= 2221 && four <= 2720);
    }
    case '3':
      return d[1] === '0' || (d[1]! >= '4' && d[1]! <= '9');
    case '4':
    case '5':
    case '6':
      return true;
    default:
      return false;
  }
}

export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

// A maximal run of digits with single spaces or dashes between them, not touching other digits.
const DIGIT_RUN = /(?<![0-9A-Za-z])[0-9](?:[ -]?[0-9])+(?![0-9A-Za-z])/g;
// Magnetic stripe track 1 (%B…^NAME^YYMM…?) and track 2 (;PAN=YYMM…?).
const TRACK = /%B[0-9]{13,19}\^[^^]{0,26}\^[0-9]{4}[^?]*\??|;?[0-9]{13,19}=[0-9]{4}[0-9]*\??/g;
// A labelled security code or expiry date: the value is starred.
const LABELLED_SECRET =
  /((?:CVV2?|CVC2?|CVN2?|CID|安全码|(?:EXP(?:IRY|\.)?\s*(?:DATE)?|有效期(?:至)?)(?:\s*[（(][^)）]*[)）])?)\s*[:：]?\s*)([0-9]{4}\s*[/-]\s*[0-9]{1,2}|[0-9]{1,2}\s*[/-]\s*[0-9]{2,4}|[0-9]{3,4})(?![0-9])/gi;

/** Mask a PAN run, keeping separators: "6225 8812 3456 7890" → "6225 88** **** 7890". */
function maskRun(run: string, digitCount: number): string {
  let seen = 0;
  let out = '';
  for (const ch of run) {
    if (ch >= '0' && ch <= '9') {
      out += seen < 6 || seen >= digitCount - 4 ? ch : '*';
      seen++;
    } else out += ch;
  }
  return out;
}

export interface GuardResult {
  readonly text: string;
  /** How many card numbers, track data and labelled secrets were masked. */
  readonly pans: number;
  readonly secrets: number;
}

// Case-sensitive on purpose (it is a pre-check, run on every receipt): the spellings printed.
const SECRET_WORD = /CV[VCN]|CID|EXP|Exp|exp|cv[vcn]|安全码|有效期/;

/** 13 digits in a row (single spaces or dashes allowed between them). */
export const CARD_LIKE = /[0-9](?:[ -]?[0-9]){12}/;

/** The class of each character for `hasCardRun`: 1 a digit, 2 a separator (space, dash), 0 other. */
const RUN_CLASS = new Uint8Array(0x10000);
RUN_CLASS.fill(1, 0x30, 0x3a);
RUN_CLASS[0x20] = 2;
RUN_CLASS[0x2d] = 2;

/**
 * `CARD_LIKE.test(text)` without reading every character. Such a run is at least 13 characters
 * long, so it covers one of every 13th position: only where a probe lands on a digit, or on a
 * separator beside one, is the text around it read. The regex tries a match at every digit of a
 * receipt (prices, dates, quantities) and was a fifth of the decoder's time.
 */
export function hasCardRun(text: string): boolean {
  const n = text.length;
  let p = 12;
  while (p < n) {
    // A digit, or a separator with a digit on either side.
    const k = RUN_CLASS[text.charCodeAt(p)]!;
    const beside = RUN_CLASS[text.charCodeAt(p - 1)]! | (p + 1 < n ? RUN_CLASS[text.charCodeAt(p + 1)]! : 0);
    if (((k | (k >> 1)) & (k | beside) & 1) === 0) {
      p += 13;
      continue;
    }
    // Back to where no run is in progress: after a character of no run, or after two separators.
    let s = p;
    while (s > 0) {
      const c = RUN_CLASS[text.charCodeAt(s - 1)]!;
      if (c === 0 || (c === 2 && s > 1 && RUN_CLASS[text.charCodeAt(s - 2)]! === 2)) break;
      s--;
    }
    // Forward over the runs there (as the regex reads them) until one ends past the probe.
    let digits = 0;
    let sep = false;
    let e = s;
    for (; e < n; e++) {
      const c = RUN_CLASS[text.charCodeAt(e)]!;
      if (c === 1) {
        if (++digits >= 13) return true;
        sep = false;
      } else if (c === 2 && digits > 0 && !sep) sep = true;
      else {
        digits = 0;
        sep = false;
        if (e > p) break;
      }
    }
    // No run is in progress at e, so a run after it starts at e + 1 or later and covers e + 13.
    p = e + 13;
  }
  return false;
}

/** Mask every card number, track and labelled secret in `text`. */
export function guardText(text: string): GuardResult {
  let pans = 0;
  let secrets = 0;
  const cardLike = hasCardRun(text);
  const secretLike = SECRET_WORD.test(text);
  // Most receipts have no run of 13 digits and no secret label.
  if (!cardLike && !secretLike) return { text, pans, secrets };
  let out = text;
  if (cardLike) out = guardCards(out, () => pans++, () => secrets++);
  if (secretLike) {
    out = out.replace(LABELLED_SECRET, (_m, label: string, value: string) => {
      secrets++;
      return label + value.replace(/[0-9]/g, '*');
    });
  }
  return { text: out, pans, secrets };
}

// A label naming some other number, just before a run (same line, or ending the line before).
const OTHER_NUMBER =
  /(?:(?<![A-Za-z])(?:MID|TID|MERCH(?:ANT)?\.?\s*(?:ID|NO|NUM|#)|TERM(?:INAL)?\.?\s*(?:ID|NO|#)|ORDER\s*(?:ID|NO|#)|REF(?:ERENCE)?\.?\s*(?:ID|NO|#|NUM)|RRN|INVOICE|TRANSACTION\s*(?:ID|NO))|商户编号|商户号|商户代码|终端编号|终端号|订单号|单号|交易号|流水号|参考号)\.?(?:\s*[（(][^)）]{0,40}[)）])?\s*[:：#]?\s*$/i;

function labelledOther(text: string, at: number): boolean {
  const lineStart = text.lastIndexOf('\n', at - 1) + 1;
  let before = text.slice(lineStart, at);
  // The value may stand alone on the line after its label.
  if (before.trim() === '' && lineStart > 0) before = text.slice(text.lastIndexOf('\n', lineStart - 2) + 1, lineStart - 1);
  return OTHER_NUMBER.test(before.slice(-60));
}

function guardCards(text: string, pan: () => void, secret: () => void): string {
  const out = text.replace(TRACK, (m) => {
    secret();
    return '*'.repeat(m.length);
  });
  return out.replace(DIGIT_RUN, (run, at: number, whole: string) => {
    if (labelledOther(whole, at)) return run;
    const d = run.replace(/[ -]/g, '');
    if (d.length < 13 || d.length > 19) {
      // A longer run may hold a grouped PAN followed by other digits: check its groups.
      return d.length > 19 && /[ -]/.test(run) ? maskGroups(run, pan) : run;
    }
    if (!cardPrefix(d) || !luhnValid(d)) return run;
    pan();
    return maskRun(run, d.length);
  });
}

/** In a run of digit groups longer than 19 digits, mask any consecutive groups forming a PAN. */
function maskGroups(run: string, count: () => void): string {
  const parts = run.split(/([ -])/);
  const groups = parts.filter((_, i) => i % 2 === 0);
  for (let a = 0; a < groups.length; a++) {
    let d = '';
    for (let b = a; b < groups.length; b++) {
      d += groups[b];
      if (d.length > 19) break;
      if (d.length >= 13 && cardPrefix(d) && luhnValid(d)) {
        const joined = parts.slice(2 * a, 2 * b + 1).join('');
        const masked = maskRun(joined, d.length);
        count();
        return [...parts.slice(0, 2 * a), masked, ...parts.slice(2 * b + 1)].join('');
      }
    }
  }
  return run;
}
