/**
 * The folder page's script, served as /_jottadav/app.<hash>.js. It only enhances the
 * server-rendered table: local dates, sorting in place, the filter, and the changes (upload with
 * progress, new folder, rename, delete) as plain WebDAV requests to the bridge, which the browser
 * authenticates with the credentials it already holds for the page. Plain ES2020 in a string
 * (no template literals inside, so the string needs no escaping); the Chromium spec runs it.
 * The reading part is here; the changes are in app-script-changes.ts, in the same function scope.
 */
import { CHANGES } from './app-script-changes.js';

const READING = String.raw`
  'use strict';
  document.documentElement.classList.replace('no-js', 'js');
  document.addEventListener('DOMContentLoaded', start);

  // The same order as the server's (lib/dav/browse/sort.ts): folders first, ties by name.
  var collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });
  var shortDate = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
  var longDate = new Intl.DateTimeFormat(undefined, { dateStyle: 'full', timeStyle: 'long' });
  var folder = '';
  var statusTimer = 0;

  function byId(id) { return document.getElementById(id); }
  function rows() { return Array.prototype.slice.call(document.querySelectorAll('#listing tbody tr[data-name]')); }

  function start() {
    folder = document.body.dataset.folder;
    localDates(document);
    setupSort();
    setupFilter();
    if (document.body.dataset.writable === 'true') setupChanges();
  }

  function localDates(root) {
    root.querySelectorAll('time[datetime]').forEach(function (el) {
      var date = new Date(el.getAttribute('datetime'));
      if (isNaN(date.getTime())) return;
      el.textContent = shortDate.format(date);
      el.title = longDate.format(date);
    });
  }

  // Sorting: the header links work without script (the server sorts); here they sort in place.
  function currentOrder() {
    var query = new URLSearchParams(location.search);
    var column = query.get('sort');
    return {
      column: column === 'size' || column === 'modified' ? column : 'name',
      direction: query.get('order') === 'desc' ? 'desc' : 'asc'
    };
  }

  function sortKey(row, column) {
    if (column === 'size') return row.dataset.kind === 'file' ? Number(row.dataset.size) : 0;
    return row.dataset.modified ? Number(row.dataset.modified) : -Infinity;
  }

  function compareRows(a, b, order) {
    var folderA = a.dataset.kind === 'folder';
    if (folderA !== (b.dataset.kind === 'folder')) return folderA ? -1 : 1;
    var nameA = a.dataset.name;
    var nameB = b.dataset.name;
    var names = collator.compare(nameA, nameB) || (nameA < nameB ? -1 : nameA > nameB ? 1 : 0);
    var sign = order.direction === 'asc' ? 1 : -1;
    if (order.column === 'name') return sign * names;
    var diff = sortKey(a, order.column) - sortKey(b, order.column);
    return diff !== 0 && !isNaN(diff) ? sign * diff : names;
  }

  function showOrder(order) {
    document.querySelectorAll('#listing a.sort').forEach(function (link) {
      var column = link.dataset.column;
      var th = link.parentElement;
      var next = link.dataset.first;
      if (column === order.column) {
        th.setAttribute('aria-sort', order.direction === 'asc' ? 'ascending' : 'descending');
        next = order.direction === 'asc' ? 'desc' : 'asc';
      } else {
        th.removeAttribute('aria-sort');
      }
      link.setAttribute('href', '?sort=' + column + '&order=' + next);
    });
  }

  function setupSort() {
    document.querySelector('#listing thead').addEventListener('click', function (event) {
      var link = event.target.closest('a.sort');
      if (!link) return;
      event.preventDefault();
      var now = currentOrder();
      var column = link.dataset.column;
      var order = { column: column, direction: column === now.column ? (now.direction === 'asc' ? 'desc' : 'asc') : link.dataset.first };
      var body = document.querySelector('#listing tbody');
      rows().sort(function (a, b) { return compareRows(a, b, order); }).forEach(function (row) { body.appendChild(row); });
      history.replaceState(null, '', '?sort=' + order.column + '&order=' + order.direction + location.hash);
      showOrder(order);
    });
  }

  // The filter hides rows whose name does not contain the text; '/' jumps to it, Escape clears it.
  function applyFilter() {
    var input = byId('filter');
    var text = input.value.trim().toLowerCase();
    var all = rows();
    var shown = 0;
    all.forEach(function (row) {
      var match = text === '' || row.dataset.name.toLowerCase().indexOf(text) >= 0;
      row.hidden = !match;
      if (match) shown++;
    });
    var body = document.querySelector('#listing tbody');
    var note = body.querySelector('tr.no-match');
    if (all.length > 0 && shown === 0) {
      if (!note) {
        // A cell per column, like the server's empty row (columns hidden on narrow screens stay aligned).
        note = document.createElement('tr');
        note.className = 'empty no-match';
        ['col-name', 'col-size', 'col-modified', ''].forEach(function (name) {
          var cell = document.createElement('td');
          cell.className = name;
          note.appendChild(cell);
        });
        body.appendChild(note);
      }
      note.firstChild.textContent = 'No items match \u201c' + input.value.trim() + '\u201d.';
    } else if (note) {
      note.remove();
    }
  }

  function setupFilter() {
    var input = byId('filter');
    input.addEventListener('input', applyFilter);
    input.addEventListener('keydown', function (event) {
      if (event.key === 'Escape' && input.value !== '') { input.value = ''; applyFilter(); }
    });
    document.addEventListener('keydown', function (event) {
      var target = event.target;
      var typing = target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement || target.isContentEditable;
      var dialog = byId('dialog');
      if (event.key !== '/' || typing || event.ctrlKey || event.metaKey || event.altKey || (dialog && dialog.open)) return;
      event.preventDefault();
      input.focus();
    });
  }

  function say(text, isError) {
    var status = byId('status');
    clearTimeout(statusTimer);
    status.textContent = text;
    status.classList.toggle('error', !!isError);
    if (!isError) statusTimer = setTimeout(function () { status.textContent = ''; }, 6000);
  }

  // Reloads the listing (and summary) from the server in place: the server's table is the truth.
  // renamedTo: the new name of the row that had the focus (a rename), so the focus follows it.
  function refresh(renamedTo) {
    return fetch(location.href, { headers: { Accept: 'text/html' }, cache: 'no-store' })
      .then(function (response) {
        if (!response.ok) throw new Error('HTTP ' + response.status);
        return response.text();
      })
      .then(function (html) {
        // Focus inside the table would fall to <body> with the old rows: it moves to the same row.
        var focused = document.activeElement;
        var focusedRow = focused && focused.closest ? focused.closest('#listing tbody tr[data-name]') : null;
        var focusedName = focusedRow ? renamedTo || focusedRow.dataset.name : null;
        var focusedAction = focused && focused.dataset ? focused.dataset.action : undefined;
        var fresh = new DOMParser().parseFromString(html, 'text/html');
        var body = fresh.querySelector('#listing tbody');
        var summary = fresh.querySelector('#summary');
        if (!body || !summary) throw new Error('unexpected page');
        document.querySelector('#listing tbody').replaceWith(document.adoptNode(body));
        byId('summary').replaceWith(document.adoptNode(summary));
        localDates(document.querySelector('#listing tbody'));
        applyFilter();
        if (focusedName !== null) {
          var again = rows().filter(function (row) { return row.dataset.name === focusedName; })[0];
          var target = again && (focusedAction ? again.querySelector('button[data-action="' + focusedAction + '"]') : again.querySelector('a'));
          if (target) target.focus();
        }
        document.body.dispatchEvent(new CustomEvent('jottadav:listed'));
      })
      .catch(function (error) { say('Could not reload the folder: ' + error.message, true); });
  }
`;

export const APP_SCRIPT = `(function () {\n${READING}\n${CHANGES}})();\n`;
