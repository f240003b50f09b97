import type { Entry } from '../vfs/index.js';
import type { Hrefs } from './href.js';
import { escapeAttr as escapeHtml } from './xml.js';

/** A plain HTML listing for GET on a collection (browsers); every name is escaped. */
export function browsePage(hrefs: Hrefs, collection: Entry, children: Entry[]): string {
  const title = escapeHtml(collection.path);
  const rows = [...children]
    .sort((a, b) => (a.kind === b.kind ? a.name.localeCompare(b.name) : a.kind === 'collection' ? -1 : 1))
    .map((c) => {
      const href = escapeHtml(hrefs.of(c.path, c.kind === 'collection'));
      const name = escapeHtml(c.name) + (c.kind === 'collection' ? '/' : '');
      const size = c.kind === 'file' ? String(c.size) : '';
      const modified = c.modified ? c.modified.toISOString() : '';
      return `<tr><td><a href="${href}">${name}</a></td><td>${size}</td><td>${modified}</td></tr>`;
    });
  const parent = collection.path === '/' ? '' : `<tr><td><a href="../">../</a></td><td></td><td></td></tr>`;
  return (
    `<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>${title}</title></head><body>` +
    `<h1>${title}</h1><table><thead><tr><th>Name</th><th>Size</th><th>Modified</th></tr></thead><tbody>` +
    parent +
    rows.join('') +
    '</tbody></table></body></html>\n'
  );
}
