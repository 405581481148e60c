/**
 * Printed amounts → integer minor units, exactly: the digits are read as digits, never through a
 * float ("128.10" → 12810, "0.1" + "0.2" stays 30). A fraction longer than the currency allows is
 * refused unless the extra digits are zeros ("12.3400" is 1234; "12.345" is not money in CNY).
 */

export interface AmountFormat {
  /** The decimal separator. */
  readonly decimal: '.' | ',';
  /** The thousands separator, or '' when the file never groups digits. */
  readonly group: ',' | '.' | ' ' | "'" | '';
  /** `major`: "128.10" in the currency's unit; `minor`: "12810" already in minor units. */
  readonly unit: 'major' | 'minor';
}

export const DEFAULT_AMOUNT_FORMAT: AmountFormat = { decimal: '.', group: ',', unit: 'major' };

const ZERO_DECIMALS = new Set(['JPY', 'KRW', 'VND', 'CLP', 'ISK', 'UGX', 'XAF', 'XOF', 'PYG']);
const THREE_DECIMALS = new Set(['BHD', 'KWD', 'OMR', 'JOD', 'TND', 'IQD', 'LYD']);

/** ISO 4217 minor-unit exponent: 2 for CNY, 0 for JPY, 3 for KWD. */
export function minorExponent(currency: string): number {
  return ZERO_DECIMALS.has(currency) ? 0 : THREE_DECIMALS.has(currency) ? 3 : 2;
}

const esc = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const patterns = new Map<string, RegExp>();

function pattern(fmt: AmountFormat): RegExp {
  const key = `${fmt.decimal}|${fmt.group}|${fmt.unit}`;
  let re = patterns.get(key);
  if (!re) {
    const whole = fmt.group ? `\\d{1,3}(?:${esc(fmt.group)}\\d{3})+|\\d+` : '\\d+';
    const frac = fmt.unit === 'major' ? `(?:${esc(fmt.decimal)}(\\d+))?` : '';
    // sign, currency mark, digits, fraction, 元: "-¥1,234.50", "¥-12.00", "12.00元", "(12.00)".
    re = new RegExp(`^([-+\u2212])?\\s*[¥￥]?\\s*([-+\u2212])?(${whole})${frac}\\s*元?$`, 'u');
    patterns.set(key, re);
  }
  return re;
}

/**
 * A signed amount in minor units, or null when `text` is not an amount in `fmt`. `exponent` is
 * the currency's number of minor digits (minorExponent).
 */
export function parseMinor(text: string, fmt: AmountFormat = DEFAULT_AMOUNT_FORMAT, exponent = 2): number | null {
  let s = text.trim();
  // Accounting style: (12.00) is -12.00.
  let negative = false;
  if (s.startsWith('(') && s.endsWith(')')) {
    s = s.slice(1, -1).trim();
    negative = true;
  }
  const m = pattern(fmt).exec(s);
  if (!m) return null;
  const signs = [m[1], m[2]].filter((x): x is string => x !== undefined);
  if (signs.length > 1 || (negative && signs.length > 0)) return null;
  if (signs[0] === '-' || signs[0] === '\u2212') negative = true;
  const whole = m[3]!.replace(/\D/g, '');
  let frac = m[4] ?? '';
  if (fmt.unit === 'major') {
    if (frac.length > exponent) {
      if (/[^0]/.test(frac.slice(exponent))) return null;
      frac = frac.slice(0, exponent);
    }
    frac = frac.padEnd(exponent, '0');
  }
  const digits = (whole + frac).replace(/^0+(?=\d)/, '');
  if (digits.length > 15) return null; // beyond Number.MAX_SAFE_INTEGER territory: not a shop's amount
  const value = Number(digits);
  return negative && value !== 0 ? -value : value;
}

/** Minor units → the plain decimal string a statement prints: 12810 → "128.10", -1 → "-0.01". */
export function formatMinor(minor: number, exponent = 2): string {
  const sign = minor < 0 ? '-' : '';
  const digits = String(Math.abs(minor)).padStart(exponent + 1, '0');
  return exponent === 0 ? sign + digits : `${sign}${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
}
