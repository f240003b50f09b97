/** The folder page's style sheet, served as /_jottadav/app.<hash>.css (no inline style: the CSP forbids it). */
export const APP_STYLE = String.raw`
:root {
  --bg: #f5f6f8; --card: #fff; --text: #1d2330; --muted: #667085; --line: #e6e8ec; --hover: #f4f7fe;
  --accent: #2563eb; --accent-dark: #1d4ed8; --accent-soft: #e8effd; --danger: #dc2626; --radius: 10px;
  --focus: 0 0 0 3px rgba(37, 99, 235, .35);
  color-scheme: light;
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body {
  margin: 0; min-height: 100vh; background: var(--bg); color: var(--text);
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
}
a { color: inherit; }
:focus-visible { outline: none; box-shadow: var(--focus); border-radius: 6px; }
.sprite { position: absolute; width: 0; height: 0; overflow: hidden; }
.icon { width: 18px; height: 18px; flex: none; vertical-align: middle; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
.no-js .js-only { display: none !important; }

.topbar { display: flex; align-items: center; height: 56px; padding: 0 28px; background: var(--card); border-bottom: 1px solid var(--line); }
.brand { display: inline-flex; align-items: center; gap: 9px; font-weight: 650; font-size: 16px; letter-spacing: -.01em; text-decoration: none; }
.brand .logo { width: 26px; height: 26px; color: var(--accent); }
.topbar .user { display: inline-flex; align-items: center; gap: 7px; margin-left: auto; color: var(--muted); }
.badge { padding: 1px 8px; border-radius: 999px; background: #eef1f6; font-size: 12px; }

.card { max-width: 1120px; margin: 28px auto; background: var(--card); border: 1px solid var(--line); border-radius: var(--radius); box-shadow: 0 1px 2px rgba(16, 24, 40, .04), 0 4px 16px rgba(16, 24, 40, .04); }
.toolbar { display: flex; flex-wrap: wrap; align-items: center; justify-content: space-between; gap: 12px; padding: 16px 20px; border-bottom: 1px solid var(--line); }
.crumbs ol { display: flex; flex-wrap: wrap; align-items: center; margin: 0; padding: 0; list-style: none; font-size: 16px; }
.crumbs li { display: flex; align-items: center; min-width: 0; }
.crumbs li + li::before { content: ""; width: 6px; height: 6px; margin: 0 10px 0 6px; border: solid #a0a7b4; border-width: 1.5px 1.5px 0 0; transform: rotate(45deg); }
.crumbs a { display: inline-flex; align-items: center; gap: 6px; padding: 3px 6px; border-radius: 6px; color: var(--muted); text-decoration: none; overflow-wrap: anywhere; }
.crumbs a:hover { background: var(--hover); color: var(--text); }
.crumbs a[aria-current="page"] { color: var(--text); font-weight: 600; }
.tools { display: flex; align-items: center; gap: 8px; flex-wrap: wrap; }

.filter { display: flex; align-items: center; gap: 6px; height: 34px; padding: 0 8px 0 10px; border: 1px solid var(--line); border-radius: 8px; background: #fff; color: var(--muted); }
.filter:focus-within { border-color: var(--accent); box-shadow: var(--focus); }
.filter input { width: 170px; border: 0; outline: 0; font: inherit; color: var(--text); background: transparent; }
.filter kbd { padding: 0 5px; border: 1px solid var(--line); border-radius: 4px; font: 11px/16px ui-monospace, SFMono-Regular, Menlo, monospace; color: var(--muted); }

.btn { display: inline-flex; align-items: center; gap: 6px; height: 34px; padding: 0 13px; border: 1px solid #d0d5dd; border-radius: 8px; background: #fff; color: var(--text); font: inherit; font-weight: 550; cursor: pointer; }
.btn:hover { background: #f9fafb; }
.btn.primary { border-color: var(--accent); background: var(--accent); color: #fff; }
.btn.primary:hover { background: var(--accent-dark); }
.btn.danger { border-color: var(--danger); background: var(--danger); color: #fff; }
.btn .icon { width: 17px; height: 17px; }

table { width: 100%; border-collapse: collapse; table-layout: fixed; }
th, td { padding: 0 12px; text-align: left; white-space: nowrap; }
th { height: 38px; font-size: 12px; font-weight: 600; color: var(--muted); border-bottom: 1px solid var(--line); background: #fafbfc; }
th:first-child, td:first-child { padding-left: 20px; }
.col-size { width: 120px; text-align: right; }
.col-modified { width: 210px; }
.col-actions, .row-actions { width: 96px; text-align: right; padding-right: 14px; }
th.col-size { text-align: right; }
.sort { display: inline-flex; align-items: center; gap: 4px; padding: 2px 4px; margin: 0 -4px; text-decoration: none; border-radius: 4px; }
.sort:hover { color: var(--text); }
th[aria-sort] .sort { color: var(--text); }
.arrow { width: 0; height: 0; border: 4px solid transparent; opacity: 0; }
th[aria-sort="ascending"] .arrow { opacity: 1; border-bottom-color: currentColor; margin-top: -4px; }
th[aria-sort="descending"] .arrow { opacity: 1; border-top-color: currentColor; margin-top: 4px; }
td { height: 46px; border-bottom: 1px solid #f0f1f4; color: var(--muted); font-variant-numeric: tabular-nums; }
tbody tr:last-child td { border-bottom: 0; }
tbody tr:hover td { background: var(--hover); }
.col-name a { display: flex; align-items: center; gap: 12px; color: var(--text); text-decoration: none; font-weight: 500; min-width: 0; }
.col-name a:hover .label { text-decoration: underline; }
.col-name .label { overflow: hidden; text-overflow: ellipsis; }
.col-name .icon { width: 24px; height: 24px; }
.none { color: #b3b9c4; }
tr.empty td { height: 120px; color: var(--muted); white-space: normal; }

.k-folder { color: #5b8def; } .k-file { color: #8a94a6; } .k-text, .k-document { color: #2f6fde; }
.k-image { color: #16a34a; } .k-audio { color: #9333ea; } .k-video { color: #db2777; } .k-archive { color: #a16207; }
.k-code { color: #0e7490; } .k-pdf { color: #dc2626; } .k-spreadsheet { color: #15803d; } .k-presentation { color: #ea580c; }

.icon-btn { display: inline-grid; place-items: center; width: 32px; height: 32px; border: 0; border-radius: 7px; background: transparent; color: var(--muted); cursor: pointer; opacity: 0; }
tr:hover .icon-btn, tr:focus-within .icon-btn, .icon-btn:focus-visible { opacity: 1; }
.icon-btn:hover { background: #e9edf5; color: var(--text); }
.icon-btn.danger:hover { background: #fde8e8; color: var(--danger); }
@media (hover: none) { .icon-btn { opacity: 1; } }

.summary { padding: 12px 20px; border-top: 1px solid var(--line); color: var(--muted); font-size: 13px; }
.status:empty { display: none; }
.status { margin: 12px 20px 0; padding: 10px 14px; border-radius: 8px; background: var(--accent-soft); color: #1e3a8a; }
.status.error { background: #fdecec; color: #991b1b; }

.drop-overlay { position: fixed; inset: 0; z-index: 10; pointer-events: none; display: grid; place-items: center; background: rgba(37, 99, 235, .08); }
.drop-overlay > div { display: grid; justify-items: center; gap: 8px; padding: 36px 48px; border: 2px dashed var(--accent); border-radius: 14px; background: rgba(255, 255, 255, .94); color: var(--accent-dark); font-size: 15px; }
.drop-overlay .icon { width: 36px; height: 36px; }
.drop-overlay p { margin: 0; }
.drop-overlay[hidden], .uploads[hidden] { display: none; }

.uploads { position: fixed; right: 20px; bottom: 20px; z-index: 5; width: 340px; max-height: 50vh; overflow: auto; padding: 12px 16px; background: #fff; border: 1px solid var(--line); border-radius: var(--radius); box-shadow: 0 10px 30px rgba(16, 24, 40, .14); }
.uploads-head { display: flex; align-items: center; justify-content: space-between; margin-bottom: 4px; }
.uploads .close { width: 28px; height: 28px; border: 0; border-radius: 6px; background: transparent; color: var(--muted); font-size: 18px; line-height: 1; cursor: pointer; }
.uploads .close:hover { background: #eef1f6; color: var(--text); }
.uploads h2 { margin: 0; font-size: 13px; color: var(--muted); font-weight: 600; }
.uploads ul { margin: 0; padding: 0; list-style: none; }
.uploads li { display: grid; grid-template-columns: 1fr auto; gap: 2px 10px; padding: 6px 0; font-size: 13px; }
.uploads li .name { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.uploads li .state { color: var(--muted); }
.uploads li.failed .state { color: var(--danger); }
.uploads progress { grid-column: 1 / -1; width: 100%; height: 6px; appearance: none; border: 0; border-radius: 3px; background: #edf0f5; overflow: hidden; }
.uploads progress::-webkit-progress-bar { background: #edf0f5; }
.uploads progress::-webkit-progress-value { background: var(--accent); border-radius: 3px; }
.uploads progress::-moz-progress-bar { background: var(--accent); }
.uploads li.done progress::-webkit-progress-value { background: #16a34a; }

dialog { width: min(420px, calc(100vw - 32px)); padding: 22px 22px 18px; border: 0; border-radius: 12px; box-shadow: 0 20px 50px rgba(16, 24, 40, .25); color: var(--text); }
dialog::backdrop { background: rgba(16, 24, 40, .35); }
dialog h2 { margin: 0 0 6px; font-size: 17px; }
dialog p { margin: 0 0 12px; color: var(--muted); overflow-wrap: anywhere; }
dialog p:empty { display: none; }
dialog label { display: grid; gap: 6px; margin-bottom: 6px; font-weight: 550; }
dialog label[hidden] { display: none; }
dialog input { height: 36px; padding: 0 10px; border: 1px solid #d0d5dd; border-radius: 8px; font: inherit; }
dialog input:focus { outline: 0; border-color: var(--accent); box-shadow: var(--focus); }
dialog .error { color: var(--danger); margin: 0 0 8px; }
dialog .buttons { display: flex; flex-direction: row-reverse; justify-content: flex-start; gap: 8px; margin-top: 14px; }

@media (max-width: 720px) {
  .topbar { padding: 0 16px; }
  .card { margin: 0; border-radius: 0; border-width: 0 0 1px; }
  .col-modified { display: none; }
  .filter input { width: 110px; }
  .filter kbd { display: none; }
}
`;
