/**
 * The folder page's changes (new folder, rename, delete, upload by picker or drop), as WebDAV
 * requests. Joined into the page's script by app-script.ts: it runs in the same function scope
 * and uses its helpers (byId, rows, say, refresh, folder).
 */
export const CHANGES = String.raw`
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
`;
