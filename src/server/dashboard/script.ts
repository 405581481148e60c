/**
 * The dashboard's script, run in the browser: plain ES2020, no build step, no library. It keeps the
 * user's API token in sessionStorage (gone when the tab closes) and calls the JSON API with it.
 * Everything from the server is put in the page with textContent, never as HTML.
 */
export const DASHBOARD_SCRIPT = String.raw`
'use strict';
const KEY = 'tilltap.token';
const KINDS = ['missing_receipt','orphan_receipt','amount_mismatch','type_mismatch','data_mismatch','duplicate','reprint','clock_drift','ambiguous','print_failed'];
const $ = (id) => document.getElementById(id);
const el = (tag, attrs, ...children) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'class') e.className = v; else if (k.startsWith('on')) e.addEventListener(k.slice(2), v); else e.setAttribute(k, v);
  }
  for (const c of children) if (c !== null && c !== undefined) e.append(c instanceof Node ? c : String(c));
  return e;
};
const token = () => sessionStorage.getItem(KEY);

async function api(path, init) {
  const res = await fetch(path, { ...(init || {}), headers: { ...((init && init.headers) || {}), authorization: 'Bearer ' + token() } });
  if (res.status === 401) { signOut('That token was not accepted: ' + (await res.json()).error.message); throw new Error('unauthorized'); }
  if (!res.ok) {
    let msg = res.status + ' ' + res.statusText;
    try { msg = (await res.json()).error.message; } catch (e) {}
    throw new Error(msg);
  }
  return res;
}

function say(text, bad) {
  const m = $('message');
  m.textContent = text || '';
  m.className = bad ? 'message bad' : 'message';
}

function signOut(why) {
  sessionStorage.removeItem(KEY);
  $('app').hidden = true;
  $('signin').hidden = false;
  $('signin-error').textContent = why || '';
}

function filters() {
  const q = new URLSearchParams();
  for (const k of ['date', 'store', 'kind', 'status']) { const v = $('f-' + k).value.trim(); if (v) q.set(k, v); }
  const lang = $('f-lang').value;
  if (lang) q.set('lang', lang);
  return q;
}

const money = (minor, currency) => {
  if (minor === null || minor === undefined) return '';
  const zero = ['JPY', 'KRW'].includes(currency);
  const abs = Math.abs(minor);
  const whole = String(zero ? abs : Math.floor(abs / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return (minor < 0 ? '-' : '') + whole + (zero ? '' : '.' + String(abs % 100).padStart(2, '0')) + ' ' + (currency || '');
};

/** The ids a discrepancy rests on; past a few, the rest fold away (a clock drift names dozens). */
function evidence(d) {
  const box = el('div', { class: 'ids' });
  const ids = [...d.statement_ids.map((id) => ['S', id, 'statement row']), ...d.receipt_ids.map((id) => ['R', id, 'receipt'])];
  const chip = ([side, id, what]) => el('code', { title: what }, side + ' ' + id);
  box.append(...ids.slice(0, 4).map(chip));
  if (ids.length > 4) box.append(el('details', {}, el('summary', {}, (ids.length - 4) + ' more'), ...ids.slice(4).map(chip)));
  const wrap = el('div', {}, box);
  if (d.diff.length) wrap.append(el('div', { class: 'diff' }, d.diff.map((x) => x.field + ': statement ' + x.statement + ', receipt ' + x.receipt).join('; ')));
  return wrap;
}

function decisionCell(d) {
  const cell = el('td', { class: 'status' });
  cell.append(el('span', { class: 'badge ' + d.status }, d.status));
  if (d.status === 'resolved') cell.append(el('div', { class: 'who' }, d.resolved_by + ', ' + d.resolved_at.slice(0, 16).replace('T', ' ') + ': ' + d.resolved_reason));
  const next = d.status === 'resolved' ? 'open' : 'resolved';
  cell.append(el('button', { class: 'small', 'data-key': d.key, onclick: () => decide(d.key, next) }, next === 'resolved' ? 'Resolve…' : 'Reopen…'));
  return cell;
}

async function decide(key, status) {
  const reason = prompt(status === 'resolved' ? 'Why is this resolved?' : 'Why reopen it?');
  if (!reason || !reason.trim()) return;
  try {
    await api('/api/v1/discrepancies/' + encodeURIComponent(key), { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ status, reason }) });
    await load();
    say((status === 'resolved' ? 'Resolved ' : 'Reopened ') + key);
  } catch (e) { say(e.message, true); }
}

function renderDiscrepancies(list) {
  const body = $('rows');
  body.replaceChildren();
  for (const d of list) {
    body.append(el('tr', { class: d.status },
      el('td', { class: 'when' }, d.at ? d.at.replace('T', ' ').slice(0, 16) : d.date),
      el('td', {}, el('span', { class: 'kind k-' + d.kind }, d.kind)),
      el('td', {}, d.store || ''),
      el('td', {}, d.terminal || ''),
      el('td', { class: 'num' }, money(d.amount_minor, d.currency)),
      el('td', { class: 'explanation' }, el('div', {}, d.explanation), evidence(d), el('div', { class: 'key' }, d.key)),
      decisionCell(d)));
  }
  const open = list.filter((d) => d.status === 'open').length;
  $('count').textContent = list.length + ' discrepancies, ' + open + ' open';
  $('empty').hidden = list.length > 0;
}

function renderSummary(by, data) {
  const table = el('table', { class: 'summary' },
    el('caption', {}, 'By ' + by),
    el('tr', {}, ...[by, 'matched', 'discrepancies', 'open', 'at stake', 'by kind'].map((h) => el('th', {}, h))));
  for (const r of data.rows) {
    const amt = (t) => Object.entries(t.amount).map(([c, v]) => money(v, c)).join(' + ');
    table.append(el('tr', {},
      el('td', {}, r.key === null ? '(unknown)' : r.key),
      el('td', { class: 'num' }, r.matched.count + (r.matched.count ? ' · ' + amt(r.matched) : '')),
      el('td', { class: 'num' }, r.discrepancies.count),
      el('td', { class: 'num' }, r.open),
      el('td', { class: 'num' }, amt(r.discrepancies)),
      el('td', {}, Object.entries(r.by_kind).map(([k, t]) => k + ' ' + t.count).join(', '))));
  }
  return table;
}

async function load() {
  say('Loading…');
  const q = filters();
  try {
    const list = await (await api('/api/v1/discrepancies?' + q)).json();
    renderDiscrepancies(list);
    const s = new URLSearchParams();
    if (q.get('date')) s.set('date', q.get('date'));
    if (q.get('store')) s.set('store', q.get('store'));
    const boxes = await Promise.all(['store', 'terminal', 'operator'].map(async (by) => {
      s.set('by', by);
      return renderSummary(by, await (await api('/api/v1/summaries?' + s)).json());
    }));
    $('summaries').replaceChildren(...boxes);
    const files = await (await api('/api/v1/statements')).json();
    $('files').replaceChildren(...files.map((f) => el('li', {}, f.format + ' · ' + (f.merchant_id || f.store || '') + ' · ' + f.date_from + (f.date_to !== f.date_from ? '–' + f.date_to : '') + ' · ' + f.rows + ' rows · v' + f.version + (f.name ? ' · ' + f.name : ''))));
    say('');
  } catch (e) { if (e.message !== 'unauthorized') say(e.message, true); }
}

async function exportCsv() {
  const q = filters();
  q.set('format', 'csv');
  try {
    const blob = await (await api('/api/v1/discrepancies?' + q)).blob();
    const a = el('a', { href: URL.createObjectURL(blob), download: 'discrepancies' + (q.get('date') ? '-' + q.get('date') : '') + '.csv' });
    document.body.append(a);
    a.click();
    a.remove();
  } catch (e) { say(e.message, true); }
}

async function rerun() {
  const date = $('f-date').value;
  if (!confirm(date ? 'Reconcile ' + date + ' again?' : 'Reconcile every date with statements again?')) return;
  say('Reconciling…');
  try {
    const r = await (await api('/api/v1/reconcile', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(date ? { date } : {}) })).json();
    await load();
    say('Reconciled ' + r.days.map((d) => d.day + ' (' + d.counts.matched + ' matched, ' + d.counts.discrepancies + ' discrepancies)').join(', '));
  } catch (e) { say(e.message, true); }
}

async function upload(ev) {
  ev.preventDefault();
  const file = $('u-file').files[0];
  if (!file) return;
  const q = new URLSearchParams({ format: $('u-format').value, name: file.name });
  if ($('u-store').value.trim()) q.set('store', $('u-store').value.trim());
  say('Importing ' + file.name + '…');
  try {
    const r = await (await api('/api/v1/statements?' + q, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: file })).json();
    const f = r.file;
    await load();
    say(r.status === 'imported'
      ? 'Imported ' + f.rows + ' rows of ' + file.name + ' (' + f.date_from + (f.date_to !== f.date_from ? ' to ' + f.date_to : '') + ', version ' + f.version + '). Reconcile again to use them.'
      : file.name + ' was already imported (version ' + f.version + '): nothing changed.');
  } catch (e) { say(file.name + ': ' + e.message, true); }
}

function start() {
  $('signin').hidden = true;
  $('app').hidden = false;
  load();
}

$('f-kind').append(...KINDS.map((k) => el('option', { value: k }, k)));
$('signin-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const t = $('token').value.trim();
  if (!t) return;
  sessionStorage.setItem(KEY, t);
  $('token').value = '';
  start();
});
$('filters').addEventListener('submit', (ev) => { ev.preventDefault(); load(); });
$('export').addEventListener('click', exportCsv);
$('rerun').addEventListener('click', rerun);
$('upload').addEventListener('submit', upload);
$('signout').addEventListener('click', () => signOut(''));
if (token()) start();
`;
