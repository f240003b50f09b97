import { splitPath } from '../../util/paths.js';
import type { Entry } from '../../vfs/index.js';
import type { Hrefs } from '../href.js';
import { escapeAttr as escapeHtml } from '../xml.js';
import { ASSET_PATHS } from './assets.js';
import { humanSize, kindOf, utcText } from './format.js';
import { icon, ICON_SPRITE } from './icons.js';
import { sortEntries, type SortOrder } from './sort.js';

export interface BrowsePageInput {
  hrefs: Hrefs;
  collection: Entry;
  children: readonly Entry[];
  /** The column and direction, from the query string (links in the column headers set it). */
  order: SortOrder;
  /** Shows the controls that change things (upload, new folder, rename, delete). */
  writable: boolean;
  /** The signed-in user, shown in the top bar. */
  user?: string;
}

/**
 * The folder page: a complete HTML table that reads without JavaScript (links, sizes, UTC dates,
 * sorting through links in the column headers); /_jottadav/app.js adds uploads, changes, the
 * filter, local dates and sorting in place. No inline script or style: the page's
 * Content-Security-Policy allows only the bridge's own assets. Every name is escaped.
 */
export function browsePage(input: BrowsePageInput): string {
  const { hrefs, collection, writable } = input;
  const asset = (path: string) => escapeHtml(hrefs.of(path, false));
  const folderName = collection.path === '/' ? 'Home' : collection.name;
  const children = sortEntries(input.children, input.order);
  const rows = children.map((c) => row(hrefs, c, writable));
  const body = rows.length > 0 ? rows.join('') : emptyRow(`This folder is empty.${writable ? '<span class="js-only"> Drop files here, or use Upload.</span>' : ''}`);
  return (
    '<!DOCTYPE html>\n<html lang="en" class="no-js"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    `<title>${escapeHtml(folderName)} · jottadav</title>` +
    `<link rel="icon" type="image/svg+xml" href="${asset(ASSET_PATHS.icon)}">` +
    `<link rel="stylesheet" href="${asset(ASSET_PATHS.style)}">` +
    // Not deferred: it marks <html> as scripted before the body paints (no flash of the fallback).
    `<script src="${asset(ASSET_PATHS.script)}"></script>` +
    `</head><body data-folder="${escapeHtml(hrefs.of(collection.path, true))}" data-writable="${String(writable)}">` +
    ICON_SPRITE +
    `<header class="topbar"><a class="brand" href="${escapeHtml(hrefs.of('/', true))}">${icon('logo', 'logo')}<span>jottadav</span></a>` +
    (input.user !== undefined ? `<span class="user">${icon('user')}<span>${escapeHtml(input.user)}</span>${writable ? '' : '<span class="badge">read-only</span>'}</span>` : '') +
    '</header>' +
    '<main class="card">' +
    '<div class="toolbar">' +
    breadcrumb(hrefs, collection.path) +
    '<div class="tools js-only">' +
    `<label class="filter">${icon('search')}<input type="search" id="filter" placeholder="Filter" aria-label="Filter by name" autocomplete="off"><kbd>/</kbd></label>` +
    (writable
      ? `<button type="button" class="btn" id="new-folder">${icon('new-folder')}<span>New folder</span></button>` +
        `<button type="button" class="btn primary" id="upload">${icon('upload')}<span>Upload</span></button>` +
        '<input type="file" id="file-input" multiple hidden>'
      : '') +
    '</div></div>' +
    '<div id="status" class="status" role="status" aria-live="polite"></div>' +
    '<table id="listing"><thead><tr>' +
    header('Name', 'name', input.order) +
    header('Size', 'size', input.order) +
    header('Modified', 'modified', input.order) +
    `<th class="col-actions">${writable ? '<span class="visually-hidden">Actions</span>' : ''}</th>` +
    `</tr></thead><tbody>${body}</tbody></table>` +
    `<footer class="summary" id="summary">${summary(children)}</footer>` +
    '</main>' +
    (writable ? changeUi(folderName) : '') +
    '</body></html>\n'
  );
}

function breadcrumb(hrefs: Hrefs, path: string): string {
  const segments = splitPath(path);
  const crumbs = [`<li><a href="${escapeHtml(hrefs.of('/', true))}"${segments.length === 0 ? ' aria-current="page"' : ''}>${icon('home')}<span>Home</span></a></li>`];
  segments.forEach((name, i) => {
    const here = `/${segments.slice(0, i + 1).join('/')}`;
    const current = i === segments.length - 1 ? ' aria-current="page"' : '';
    crumbs.push(`<li><a href="${escapeHtml(hrefs.of(here, true))}"${current}>${escapeHtml(name)}</a></li>`);
  });
  return `<nav class="crumbs" aria-label="Breadcrumb"><ol>${crumbs.join('')}</ol></nav>`;
}

const FIRST_DIRECTION: Record<SortOrder['column'], SortOrder['direction']> = { name: 'asc', size: 'desc', modified: 'desc' };

/** A column header whose link sorts by it (the script sorts in place instead of following it). */
function header(label: string, column: SortOrder['column'], order: SortOrder): string {
  const active = order.column === column;
  const next = active ? (order.direction === 'asc' ? 'desc' : 'asc') : FIRST_DIRECTION[column];
  const sort = active ? ` aria-sort="${order.direction === 'asc' ? 'ascending' : 'descending'}"` : '';
  return (
    `<th class="col-${column}"${sort}><a class="sort" href="?sort=${column}&amp;order=${next}" data-column="${column}" data-first="${FIRST_DIRECTION[column]}">` +
    `${label}<span class="arrow" aria-hidden="true"></span></a></th>`
  );
}

function row(hrefs: Hrefs, entry: Entry, writable: boolean): string {
  const folder = entry.kind === 'collection';
  const name = escapeHtml(entry.name);
  const kind = kindOf(entry.name, folder);
  const modified = entry.modified
    ? `<time datetime="${entry.modified.toISOString()}">${utcText(entry.modified)}</time>`
    : '<span class="none" aria-label="unknown">—</span>';
  const size = folder ? '<span class="none" aria-label="folder">—</span>' : humanSize(entry.size);
  const actions = writable
    ? `<td class="row-actions js-only"><button type="button" class="icon-btn" data-action="rename" aria-label="Rename ${name}" title="Rename">${icon('rename')}</button>` +
      `<button type="button" class="icon-btn danger" data-action="delete" aria-label="Delete ${name}" title="Delete">${icon('delete')}</button></td>`
    : '<td></td>';
  return (
    `<tr data-name="${name}" data-kind="${folder ? 'folder' : 'file'}" data-size="${folder ? '' : entry.size}" data-modified="${entry.modified ? entry.modified.getTime() : ''}">` +
    `<td class="col-name"><a href="${escapeHtml(hrefs.of(entry.path, folder))}">${icon(kind, `k-${kind}`)}<span class="label">${name}${folder ? '<span class="visually-hidden">/</span>' : ''}</span></a></td>` +
    `<td class="col-size">${size}</td><td class="col-modified">${modified}</td>${actions}</tr>`
  );
}

/** A message row with a cell per column (no colspan), so that columns hidden on narrow screens stay aligned. */
function emptyRow(message: string): string {
  return `<tr class="empty"><td class="col-name">${message}</td><td class="col-size"></td><td class="col-modified"></td><td></td></tr>`;
}

function summary(children: readonly Entry[]): string {
  const folders = children.filter((c) => c.kind === 'collection').length;
  const files = children.length - folders;
  const bytes = children.reduce((sum, c) => sum + (c.kind === 'file' ? c.size : 0), 0);
  const count = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;
  return `${count(folders, 'folder')} · ${count(files, 'file')}${files > 0 ? ` · ${humanSize(bytes)}` : ''}`;
}

/** The drop overlay, the upload progress panel and the one dialog that asks for names and confirmations. */
function changeUi(folderName: string): string {
  return (
    `<div id="drop-overlay" class="drop-overlay" hidden><div>${icon('upload')}<p>Drop files to upload to <strong>${escapeHtml(folderName)}</strong></p></div></div>` +
    '<section id="uploads" class="uploads" hidden aria-labelledby="uploads-title"><div class="uploads-head"><h2 id="uploads-title">Uploads</h2>' +
    '<button type="button" class="close" id="uploads-close" aria-label="Close the upload list">×</button></div><ul></ul></section>' +
    '<dialog id="dialog" aria-labelledby="dialog-title"><form method="dialog">' +
    '<h2 id="dialog-title"></h2><p id="dialog-text"></p>' +
    '<label id="dialog-field"><span id="dialog-label">Name</span><input id="dialog-input" name="name" autocomplete="off" spellcheck="false"></label>' +
    '<p id="dialog-error" class="error" role="alert"></p>' +
    // OK comes first so that Enter in the name field submits it; CSS shows it on the right.
    '<div class="buttons"><button type="submit" class="btn primary" id="dialog-ok" value="ok">OK</button>' +
    '<button type="button" class="btn" id="dialog-cancel">Cancel</button></div>' +
    '</form></dialog>'
  );
}
