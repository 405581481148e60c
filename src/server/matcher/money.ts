/** Money as a finance clerk reads it: ¥1,280.00. Amounts are integer minor units throughout. */

const SYMBOL: Readonly<Record<string, string>> = {
  CNY: '¥',
  JPY: '¥',
  USD: '$',
  EUR: '€',
  GBP: '£',
  HKD: 'HK$',
  MOP: 'MOP$',
  TWD: 'NT$',
  SGD: 'S$',
  KRW: '₩',
};

/** ISO 4217 currencies without minor units among those seen at counters. */
const ZERO_DECIMAL = new Set(['JPY', 'KRW', 'VND', 'CLP', 'ISK']);

export function formatMoney(minor: number, currency = 'CNY'): string {
  const code = currency.toUpperCase();
  const decimals = ZERO_DECIMAL.has(code) ? 0 : 2;
  const sign = minor < 0 ? '-' : '';
  const abs = Math.abs(Math.trunc(minor));
  const unit = 10 ** decimals;
  const whole = Math.floor(abs / unit)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const frac = decimals ? `.${String(abs % unit).padStart(decimals, '0')}` : '';
  const symbol = SYMBOL[code];
  return symbol ? `${sign}${symbol}${whole}${frac}` : `${sign}${code} ${whole}${frac}`;
}
