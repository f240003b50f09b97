/**
 * The folder page's script, served as /_jottadav/app.<hash>.js. It only enhances the
 * server-rendered table: local dates, sorting in place, the filter, and the changes (upload with
 * progress, new folder, rename, delete) as plain WebDAV requests to the bridge, which the browser
 * authenticates with the credentials it already holds for the page. Plain ES2020 in a string
 * (no template literals inside, so the string needs no escaping); the Chromium spec runs it.
 */
export const APP_SCRIPT = String.raw`(function () {
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

  function hrefOf(name, isFolder) { return folder + encodeURIComponent(name) + (isFolder ? '/' : ''); }

  function existingNames(except) {
    var names = new Set();
    rows().forEach(function (row) { if (row.dataset.name !== except) names.add(row.dataset.name.toLowerCase()); });
    return names;
  }

  function nameProblem(name, except) {
    if (name === '') return 'Enter a name.';
    if (name.indexOf('/') >= 0) return 'A name cannot contain \u201c/\u201d.';
    if (name === '.' || name === '..') return 'This name is reserved.';
    if (existingNames(except).has(name.toLowerCase())) return 'An item named \u201c' + name + '\u201d already exists.';
    return '';
  }

  // Why a request failed, in words: the server's short plain-text reason when it gave one.
  function failure(status, text) {
    var known = {
      401: 'you are not signed in', 403: 'you may not change this folder', 404: 'it no longer exists',
      405: 'an item with that name already exists', 409: 'the folder no longer exists', 412: 'an item with that name already exists',
      413: 'it is too large', 423: 'it is locked by another program', 507: 'there is no space left'
    };
    var reason = known[status];
    if (!reason && text && text.length < 200 && text.indexOf('<') < 0) reason = text.trim();
    return reason || 'the server answered ' + status;
  }

  function send(method, href, headers) {
    return fetch(href, { method: method, headers: headers || {} }).then(function (response) {
      if (response.ok) return;
      return response.text().then(function (text) { throw new Error(failure(response.status, text)); });
    });
  }

  // One dialog asks for names and confirmations; resolves with the name, true, or null (cancelled).
  function ask(options) {
    var dialog = byId('dialog');
    var form = dialog.querySelector('form');
    var input = byId('dialog-input');
    var error = byId('dialog-error');
    var ok = byId('dialog-ok');
    byId('dialog-title').textContent = options.title;
    byId('dialog-text').textContent = options.text || '';
    byId('dialog-field').hidden = !options.label;
    byId('dialog-label').textContent = options.label || '';
    input.value = options.value || '';
    error.textContent = '';
    ok.textContent = options.ok;
    ok.className = 'btn ' + (options.danger ? 'danger' : 'primary');
    dialog.returnValue = '';
    return new Promise(function (resolve) {
      function onSubmit(event) {
        if (!options.label) return;
        var problem = options.validate(input.value.trim());
        if (problem) {
          event.preventDefault();
          error.textContent = problem;
          input.focus();
        }
      }
      function onCancel() { dialog.close('cancel'); }
      var cancel = byId('dialog-cancel');
      form.addEventListener('submit', onSubmit);
      cancel.addEventListener('click', onCancel);
      dialog.addEventListener('close', function () {
        form.removeEventListener('submit', onSubmit);
        cancel.removeEventListener('click', onCancel);
        if (dialog.returnValue !== 'ok') resolve(null);
        else resolve(options.label ? input.value.trim() : true);
      }, { once: true });
      dialog.showModal();
      if (options.label) {
        input.focus();
        var dot = input.value.lastIndexOf('.');
        input.setSelectionRange(0, options.keepExtension && dot > 0 ? dot : input.value.length);
      } else {
        ok.focus();
      }
    });
  }

  function newFolder() {
    ask({ title: 'New folder', label: 'Folder name', ok: 'Create', validate: function (name) { return nameProblem(name); } }).then(function (name) {
      if (name === null) return;
      return send('MKCOL', hrefOf(name, true))
        .then(function () { say('Created folder \u201c' + name + '\u201d.'); return refresh(); })
        .catch(function (error) { say('Could not create \u201c' + name + '\u201d: ' + error.message + '.', true); });
    });
  }

  function rename(row) {
    var old = row.dataset.name;
    var isFolder = row.dataset.kind === 'folder';
    ask({ title: 'Rename', label: 'New name', value: old, ok: 'Rename', keepExtension: !isFolder, validate: function (name) { return name === old ? '' : nameProblem(name, old); } }).then(function (name) {
      if (name === null || name === old) return;
      var destination = new URL(hrefOf(name, isFolder), location.href).href;
      return send('MOVE', hrefOf(old, isFolder), { Destination: destination, Overwrite: 'F' })
        .then(function () { say('Renamed \u201c' + old + '\u201d to \u201c' + name + '\u201d.'); return refresh(name); })
        .catch(function (error) { say('Could not rename \u201c' + old + '\u201d: ' + error.message + '.', true); });
    });
  }

  function remove(row) {
    var name = row.dataset.name;
    var isFolder = row.dataset.kind === 'folder';
    ask({
      title: 'Delete \u201c' + name + '\u201d?',
      text: isFolder ? 'The folder and everything in it will be deleted.' : 'The file will be deleted.',
      ok: 'Delete', danger: true
    }).then(function (yes) {
      if (!yes) return;
      return send('DELETE', hrefOf(name, isFolder))
        .then(function () { say('Deleted \u201c' + name + '\u201d.'); return refresh(); })
        .catch(function (error) { say('Could not delete \u201c' + name + '\u201d: ' + error.message + '.', true); });
    });
  }

  // Uploads: one PUT per file, one at a time, with progress from the XHR upload events. The
  // file's own modification time travels in X-OC-Mtime (as ownCloud clients and rclone send it).
  function put(file, item) {
    return new Promise(function (resolve, reject) {
      var xhr = new XMLHttpRequest();
      xhr.open('PUT', hrefOf(file.name, false));
      if (file.lastModified) xhr.setRequestHeader('X-OC-Mtime', String(Math.floor(file.lastModified / 1000)));
      xhr.upload.addEventListener('progress', function (event) {
        if (!event.lengthComputable || event.total === 0) return;
        item.bar.max = event.total;
        item.bar.value = event.loaded;
        item.state.textContent = Math.floor((100 * event.loaded) / event.total) + '%';
      });
      xhr.addEventListener('load', function () {
        if (xhr.status >= 200 && xhr.status < 300) resolve();
        else reject(new Error(failure(xhr.status, xhr.responseText)));
      });
      xhr.addEventListener('error', function () { reject(new Error('the connection failed')); });
      xhr.addEventListener('abort', function () { reject(new Error('cancelled')); });
      xhr.send(file);
    });
  }

  function uploadItem(file) {
    var li = document.createElement('li');
    var name = document.createElement('span');
    var state = document.createElement('span');
    var bar = document.createElement('progress');
    name.className = 'name';
    name.textContent = file.name;
    state.className = 'state';
    state.textContent = 'Waiting';
    bar.max = 1;
    bar.value = 0;
    bar.setAttribute('aria-label', 'Uploading ' + file.name);
    li.append(name, state, bar);
    byId('uploads').querySelector('ul').appendChild(li);
    return { li: li, state: state, bar: bar };
  }

  function uploadAll(files) {
    if (files.length === 0) return Promise.resolve();
    var taken = existingNames();
    var clashes = files.filter(function (file) { return taken.has(file.name.toLowerCase()); });
    var go = clashes.length === 0
      ? Promise.resolve(true)
      : ask({
          title: clashes.length === 1 ? 'Replace \u201c' + clashes[0].name + '\u201d?' : 'Replace ' + clashes.length + ' files?',
          text: 'An item with the same name already exists in this folder. Uploading replaces it.',
          ok: 'Replace', danger: true
        });
    return go.then(function (yes) {
      if (!yes) return;
      var panel = byId('uploads');
      panel.hidden = false;
      var failed = 0;
      var chain = Promise.resolve();
      files.forEach(function (file) {
        var item = uploadItem(file);
        chain = chain.then(function () {
          item.state.textContent = '0%';
          return put(file, item).then(
            function () { item.li.className = 'done'; item.bar.max = 1; item.bar.value = 1; item.state.textContent = 'Done'; },
            function (error) { failed++; item.li.className = 'failed'; item.state.textContent = 'Failed: ' + error.message; }
          );
        });
      });
      return chain.then(function () {
        var good = files.length - failed;
        if (failed === 0) say('Uploaded ' + good + (good === 1 ? ' file.' : ' files.'));
        else say(failed + ' of ' + files.length + ' uploads failed; see the list for why.', true);
        return refresh();
      });
    });
  }

  function setupChanges() {
    var picker = byId('file-input');
    byId('upload').addEventListener('click', function () { picker.click(); });
    picker.addEventListener('change', function () {
      var files = Array.prototype.slice.call(picker.files);
      picker.value = '';
      uploadAll(files);
    });
    byId('new-folder').addEventListener('click', newFolder);
    byId('uploads-close').addEventListener('click', function () {
      var panel = byId('uploads');
      panel.hidden = true;
      panel.querySelector('ul').textContent = '';
    });
    byId('listing').addEventListener('click', function (event) {
      var button = event.target.closest('button[data-action]');
      if (!button) return;
      var row = button.closest('tr');
      if (button.dataset.action === 'rename') rename(row);
      else if (button.dataset.action === 'delete') remove(row);
    });
    setupDrop();
  }

  function setupDrop() {
    var overlay = byId('drop-overlay');
    var depth = 0;
    function carriesFiles(event) {
      return !!event.dataTransfer && Array.prototype.indexOf.call(event.dataTransfer.types, 'Files') >= 0;
    }
    document.addEventListener('dragenter', function (event) {
      if (!carriesFiles(event)) return;
      event.preventDefault();
      depth++;
      overlay.hidden = false;
    });
    document.addEventListener('dragover', function (event) {
      if (!carriesFiles(event)) return;
      event.preventDefault();
      event.dataTransfer.dropEffect = 'copy';
    });
    document.addEventListener('dragleave', function (event) {
      if (!carriesFiles(event)) return;
      depth = Math.max(0, depth - 1);
      if (depth === 0) overlay.hidden = true;
    });
    document.addEventListener('drop', function (event) {
      if (!carriesFiles(event)) return;
      event.preventDefault();
      depth = 0;
      overlay.hidden = true;
      var files = [];
      var folders = 0;
      Array.prototype.forEach.call(event.dataTransfer.items, function (item) {
        if (item.kind !== 'file') return;
        var entry = item.webkitGetAsEntry ? item.webkitGetAsEntry() : null;
        if (entry && entry.isDirectory) folders++;
        else files.push(item.getAsFile());
      });
      uploadAll(files.filter(Boolean)).then(function () {
        if (folders > 0) say('Folders cannot be dropped here; create the folder, open it, and drop its files.', true);
      });
    });
  }
})();
`;
