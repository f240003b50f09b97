/**
 * `GET {folder}?mode=liststream`: a whole subtree in one answer, read as it arrives.
 *
 * The answer is flat and unindented: a `<folder><path>/Mount/a/b</path></folder>` element for
 * every folder (the listed one first) and a `<file>` element for every completed, live file, with
 * its parent folder's `<path>`, `<filename>`, `<md5>`, `<size>`, `<modified>` and `<created>`
 * (RFC 3339 with milliseconds); `<stats>` at the end counts both, as a check that nothing was
 * lost. Trashed and unfinished files are not in it. Elements never nest in one another, so they
 * are taken one at a time from a small buffer: memory stays bounded by one element, however
 * large the tree, and no document tree is built. The root element's name is not relied on.
 */
import { JottaProtocolError } from './errors.js';

export type ListStreamItem =
  | { kind: 'folder'; path: string }
  | { kind: 'file'; path: string; name: string; md5: string; size: number; modified?: Date; created?: Date }
  | { kind: 'stats'; folders: number; files: number };

/** No element of a listing is near this long; a longer run without one is not a listing. */
export const MAX_ELEMENT_CHARS = 256 * 1024;

const ENTITY = /&(?:#(\d+)|#x([0-9a-fA-F]+)|(amp|lt|gt|quot|apos));/g;
const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Decodes the five XML entities and numeric character references (the service sends no others). */
export function decodeText(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(ENTITY, (_m, dec: string | undefined, hex: string | undefined, name: string | undefined) => {
    if (name) return NAMED[name]!;
    const code = dec !== undefined ? Number(dec) : parseInt(hex!, 16);
    return code <= 0x10ffff ? String.fromCodePoint(code) : '\ufffd';
  });
}

/** Text of the child element `<tag>` inside one element's body; undefined when absent or empty. */
function child(body: string, tag: string): string | undefined {
  const open = body.indexOf(`<${tag}>`);
  if (open === -1) return undefined;
  const from = open + tag.length + 2;
  const close = body.indexOf(`</${tag}>`, from);
  if (close === -1) throw new JottaProtocolError(`liststream: <${tag}> is not closed`);
  const text = body.slice(from, close);
  return text === '' ? undefined : decodeText(text);
}

function required(body: string, tag: string, element: string): string {
  const text = child(body, tag);
  if (text === undefined) throw new JottaProtocolError(`liststream: <${element}> without <${tag}>`);
  return text;
}

function time(text: string | undefined): Date | undefined {
  if (text === undefined) return undefined;
  const ms = Date.parse(text);
  // Whole seconds, as the rest of the client keeps times (the service stores seconds).
  return Number.isFinite(ms) ? new Date(Math.floor(ms / 1000) * 1000) : undefined;
}

function count(body: string, tag: string): number {
  const n = Number(required(body, tag, 'stats'));
  if (!Number.isSafeInteger(n) || n < 0) throw new JottaProtocolError(`liststream: <stats><${tag}> is not a count`);
  return n;
}

function item(tag: string, body: string): ListStreamItem {
  if (tag === 'folder') return { kind: 'folder', path: required(body, 'path', 'folder') };
  if (tag === 'stats') return { kind: 'stats', folders: count(body, 'folders'), files: count(body, 'files') };
  const size = Number(required(body, 'size', 'file'));
  if (!Number.isSafeInteger(size) || size < 0) throw new JottaProtocolError('liststream: a <file> with a bad <size>');
  const file: ListStreamItem = { kind: 'file', path: required(body, 'path', 'file'), name: required(body, 'filename', 'file'), md5: required(body, 'md5', 'file').toLowerCase(), size };
  const modified = time(child(body, 'modified'));
  const created = time(child(body, 'created'));
  if (modified) file.modified = modified;
  if (created) file.created = created;
  return file;
}

const START = /<(folder|file|stats)>/g;

/**
 * The items of a liststream answer in document order. Throws JottaProtocolError for a damaged
 * or truncated answer (including one whose `<stats>` disagree with what arrived, or none at all).
 */
export async function* readListStream(body: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>): AsyncGenerator<ListStreamItem> {
  const decoder = new TextDecoder('utf-8', { fatal: false });
  let buffer = '';
  let folders = 0;
  let files = 0;
  let stats: { folders: number; files: number } | undefined;
  const seen = new Set<string>();
  const take = function* (): Generator<ListStreamItem> {
    let at = 0;
    for (;;) {
      START.lastIndex = at;
      const start = START.exec(buffer);
      if (!start) break;
      const tag = start[1]!;
      const close = buffer.indexOf(`</${tag}>`, start.index + start[0].length);
      if (close === -1) {
        at = start.index;
        break;
      }
      const found = item(tag, buffer.slice(start.index + start[0].length, close));
      if (found.kind === 'folder') {
        folders++;
        seen.add(found.path);
      } else if (found.kind === 'file') {
        files++;
        // A file whose folder had no element of its own counts that folder (as rclone counts).
        if (!seen.has(found.path)) {
          seen.add(found.path);
          folders++;
        }
      } else stats = found;
      yield found;
      at = close + tag.length + 3;
    }
    // Keep only what may still become an element: from an unfinished start, or a possible split tag.
    START.lastIndex = 0;
    const pending = buffer.indexOf('<', at);
    buffer = pending === -1 ? '' : buffer.slice(pending);
    if (buffer.length > MAX_ELEMENT_CHARS) throw new JottaProtocolError('liststream: an element longer than any listing holds');
  };
  for await (const chunk of body) {
    buffer += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    yield* take();
  }
  buffer += decoder.decode();
  yield* take();
  if (!stats) throw new JottaProtocolError('liststream: no <stats> at the end (truncated?)');
  if (stats.folders !== folders || stats.files !== files) {
    throw new JottaProtocolError(`liststream: <stats> counts ${stats.folders} folders and ${stats.files} files, the answer held ${folders} and ${files}`);
  }
}
