/**
 * The dashboard (GET /): one self-contained page, no build step and nothing fetched from
 * elsewhere. It holds no data itself; its script asks the JSON API with the user's token. The
 * Content-Security-Policy allows exactly this page's script (by its hash), its inline styles and
 * requests to this server: nothing injected into the page could run or send data away.
 */
import { createHash } from 'node:crypto';
import { DASHBOARD_SCRIPT } from './script.js';

const STYLE = `
:root { --ink: #1d2330; --muted: #667085; --line: #e4e7ec; --bg: #f7f8fa; --accent: #2952cc; --bad: #b42318; --ok: #067647; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", "PingFang SC", "Microsoft YaHei", sans-serif; color: var(--ink); background: var(--bg); }
header { display: flex; align-items: center; gap: 1rem; padding: .75rem 1.5rem; background: #fff; border-bottom: 1px solid var(--line); }
header h1 { font-size: 1.1rem; margin: 0; flex: 1; }
main { padding: 1rem 1.5rem 3rem; max-width: 1400px; margin: 0 auto; }
form.filters { display: flex; flex-wrap: wrap; gap: .5rem .75rem; align-items: end; background: #fff; padding: .75rem; border: 1px solid var(--line); border-radius: 8px; }
label { display: flex; flex-direction: column; font-size: .8rem; color: var(--muted); gap: .15rem; }
input, select, button { font: inherit; padding: .35rem .5rem; border: 1px solid var(--line); border-radius: 6px; background: #fff; color: var(--ink); }
button { cursor: pointer; }
button.primary { background: var(--accent); border-color: var(--accent); color: #fff; }
button.small { font-size: .8rem; padding: .15rem .45rem; margin-top: .25rem; }
.message { min-height: 1.4em; margin: .5rem 0; color: var(--muted); }
.message.bad { color: var(--bad); }
table { border-collapse: collapse; width: 100%; background: #fff; border: 1px solid var(--line); border-radius: 8px; }
th, td { text-align: left; vertical-align: top; padding: .45rem .6rem; border-bottom: 1px solid var(--line); }
th { font-size: .75rem; text-transform: uppercase; letter-spacing: .03em; color: var(--muted); background: #fafbfc; }
td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
td.when { white-space: nowrap; }
tr.resolved td { color: var(--muted); }
.kind { display: inline-block; font-size: .75rem; padding: .05rem .4rem; border-radius: 4px; background: #eef2ff; white-space: nowrap; }
.k-missing_receipt, .k-print_failed, .k-orphan_receipt { background: #fee4e2; }
.k-amount_mismatch, .k-type_mismatch, .k-data_mismatch { background: #fef0c7; }
.k-reprint, .k-duplicate, .k-clock_drift { background: #e0f2fe; }
.badge { font-size: .75rem; font-weight: 600; }
.badge.open { color: var(--bad); }
.badge.resolved { color: var(--ok); }
.who, .key, .diff { font-size: .75rem; color: var(--muted); }
.ids { display: flex; flex-wrap: wrap; gap: .25rem; margin-top: .3rem; }
.ids details { display: contents; }
.ids summary { font-size: .72rem; color: var(--accent); cursor: pointer; }
td.explanation { overflow-wrap: anywhere; }
.ids code { font-size: .72rem; overflow-wrap: anywhere; background: var(--bg); border: 1px solid var(--line); border-radius: 4px; padding: 0 .3rem; }
.summaries { display: grid; gap: 1rem; margin-top: 1.5rem; }
table.summary caption { text-align: left; font-weight: 600; padding: .4rem .6rem; }
h2 { font-size: 1rem; margin: 1.5rem 0 .5rem; }
#signin { max-width: 420px; margin: 10vh auto; background: #fff; padding: 1.5rem; border: 1px solid var(--line); border-radius: 8px; }
#signin form { display: flex; flex-direction: column; gap: .75rem; }
#signin-error { color: var(--bad); min-height: 1.2em; }
ul#files { color: var(--muted); font-size: .85rem; }
`;

const BODY = `
<header><h1>tilltap · reconciliation</h1><button id="signout" type="button">Sign out</button></header>
<section id="signin" hidden>
  <h2>Sign in</h2>
  <form id="signin-form">
    <label>User API token (from <code>tilltap server token create --user NAME</code>)
      <input id="token" type="password" autocomplete="off" placeholder="ttu_…" required></label>
    <button class="primary" type="submit">Open the dashboard</button>
    <div id="signin-error"></div>
  </form>
  <p class="who">The token is kept in this tab only (sessionStorage) and sent to this server alone.</p>
</section>
<main id="app" hidden>
  <form id="filters" class="filters">
    <label>Date <input id="f-date" type="date"></label>
    <label>Store <input id="f-store" type="text" size="10" placeholder="all"></label>
    <label>Kind <select id="f-kind"><option value="">all</option></select></label>
    <label>Status <select id="f-status"><option value="">all</option><option value="open" selected>open</option><option value="resolved">resolved</option></select></label>
    <label>Language <select id="f-lang"><option value="">statement's</option><option value="zh">中文</option><option value="en">English</option></select></label>
    <button class="primary" type="submit">Show</button>
    <button id="export" type="button">Export CSV</button>
    <button id="rerun" type="button">Reconcile again</button>
  </form>
  <div id="message" class="message"></div>
  <h2 id="count">Discrepancies</h2>
  <table>
    <thead><tr><th>When</th><th>Kind</th><th>Store</th><th>Terminal</th><th>Amount</th><th>Explanation and evidence</th><th>Status</th></tr></thead>
    <tbody id="rows"></tbody>
  </table>
  <p id="empty" class="message" hidden>Nothing matches these filters.</p>
  <div id="summaries" class="summaries"></div>
  <h2>Statements held</h2>
  <ul id="files"></ul>
  <form id="upload" class="filters">
    <label>Import a statement <input id="u-file" type="file" required></label>
    <label>Format <select id="u-format"><option value="acquirer-csv">acquirer-csv</option><option value="wechat">wechat</option><option value="alipay">alipay</option><option value="sales-log">sales-log</option></select></label>
    <label>Store (sales log) <input id="u-store" type="text" size="10"></label>
    <button type="submit">Import</button>
  </form>
</main>
`;

const scriptHash = createHash('sha256').update(DASHBOARD_SCRIPT, 'utf8').digest('base64');

export const DASHBOARD_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>tilltap · reconciliation</title>
<link rel="icon" href="data:,">
<style>${STYLE}</style>
</head>
<body>${BODY}<script>${DASHBOARD_SCRIPT}</script>
</body>
</html>
`;

export const DASHBOARD_CSP = [
  "default-src 'none'",
  `script-src 'sha256-${scriptHash}'`,
  "style-src 'unsafe-inline'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');
