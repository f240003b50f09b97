/**
 * `GET {folder}`: a folder (or mount point) listing, read as it arrives.
 *
 * A listing of a big folder is megabytes of XML; parsing it whole means holding the text and a
 * document tree of every entry at once. Here tags are taken one at a time from a small buffer and
 * each `<folder>` of `<folders>` and `<file>` of `<files>` is handed on as soon as it closes, so
 * memory stays bounded by one entry. Each entry is shaped like the whole-document parser's node
 * and decoded by the same functions (xml.ts), so both readers agree field for field.
 *
 * The path may turn out to be a file: the root element tells. Any root other than `<folder>` or
 * `<mountPoint>` is a small document, collected and parsed whole.
 *
 * A cut-off answer must never pass for a short listing: the root element has to close, and every
 * end tag has to match its start tag.
 */
import { JottaProtocolError } from './errors.js';
import { decodeText, MAX_ELEMENT_CHARS } from './liststream.js';
import type { JfsDocument, JottaFile, JottaFolderRef } from './wire-types.js';
import { decodeFile, decodeFolderRef, endOfTag, parseJfsDocument, type Node } from './xml.js';

export type FolderListingItem =
  /** First, as soon as the root's start tag arrived: whether the listed folder itself is trashed. */
  | { kind: 'root'; root: 'folder' | 'mountPoint'; deleted: boolean }
  | { kind: 'folder'; folder: JottaFolderRef }
  | { kind: 'file'; file: JottaFile }
  /** The root was not a folder (a file, or something else): the whole document, parsed. */
  | { kind: 'document'; document: JfsDocument };

const ATTRIBUTE = /([^\s=/>]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;
const NAME = /^[^\s/>]+/;

function attributes(into: Node, source: string): void {
  ATTRIBUTE.lastIndex = 0;
  for (let m = ATTRIBUTE.exec(source); m; m = ATTRIBUTE.exec(source)) into[`@_${m[1]}`] = decodeText(m[2] ?? m[3] ?? '');
}

/** One element being built: its node, its leaf text, whether it has child elements. */
interface Open {
  name: string;
  node?: Node;
  text: string;
  parent?: Open;
  hasChildren: boolean;
}

/** Adds a finished child the way the whole-document parser does (repeated names become arrays). */
function attach(parent: Node, name: string, value: unknown, repeated: boolean): void {
  const existing = parent[name];
  if (existing === undefined) parent[name] = repeated ? [value] : value;
  else if (Array.isArray(existing)) existing.push(value);
  else parent[name] = [existing, value];
}

/** The value the whole-document parser gives an element: its text, or an object when it has structure. */
function finish(open: Open): unknown {
  const node = open.node!;
  if (open.hasChildren || Object.keys(node).length > 0) {
    if (!open.hasChildren && open.text !== '') node['#text'] = open.text;
    return node;
  }
  return open.text;
}

class FolderListingScanner {
  private buffer = '';
  private prolog = true;
  /** Raw text of a non-folder document, kept until its end. */
  private whole: string | undefined;
  private stack: string[] = [];
  private rootClosed = false;
  /** The entry (`<folder>` in `<folders>`, `<file>` in `<files>`) being built, innermost element first. */
  private entry: Open | undefined;
  private entryChars = 0;
  private readonly out: FolderListingItem[] = [];

  push(text: string): FolderListingItem[] {
    if (this.whole !== undefined) {
      this.whole += text;
      return [];
    }
    this.buffer += text;
    this.scan();
    return this.out.splice(0);
  }

  end(): FolderListingItem[] {
    if (this.whole !== undefined) return [{ kind: 'document', document: parseJfsDocument(this.whole) }];
    if (this.prolog) throw new JottaProtocolError('malformed XML from the service: no root element');
    if (!this.rootClosed) throw new JottaProtocolError(`malformed XML from the service: <${this.stack[0] ?? 'folder'}> is not closed (truncated?)`);
    return this.out.splice(0);
  }

  private scan(): void {
    const b = this.buffer;
    let at = 0;
    while (at < b.length) {
      const lt = b.indexOf('<', at);
      if (lt === -1) break; // a text run may end in a split entity: wait for its '<'
      if (lt > at) this.text(b.slice(at, lt));
      const next = this.tag(b, lt);
      if (next === -1) {
        at = lt;
        break;
      }
      if (this.whole !== undefined) {
        // Not a listing: everything from the root's start tag on is one small document.
        this.whole = b.slice(lt);
        this.buffer = '';
        return;
      }
      at = next;
    }
    this.buffer = b.slice(at);
    if (this.buffer.length > MAX_ELEMENT_CHARS) throw new JottaProtocolError('folder listing: a tag or text longer than any listing holds');
  }

  private text(raw: string): void {
    if (this.rootClosed || this.stack.length === 0) {
      if (raw.trim() !== '') throw new JottaProtocolError('malformed XML from the service: text outside the root element');
      return;
    }
    if (this.entry) this.appendText(decodeText(raw));
  }

  private appendText(text: string): void {
    const entry = this.entry!;
    entry.text += text;
    this.entryChars += text.length;
    if (this.entryChars > MAX_ELEMENT_CHARS) throw new JottaProtocolError('folder listing: an entry longer than any listing holds');
  }

  /** Handles the markup at `lt`; the index after it, or -1 when it has not fully arrived. */
  private tag(b: string, lt: number): number {
    const c = b[lt + 1];
    if (c === undefined) return -1;
    if (c === '?') return this.skip(b, lt, '?>');
    if (c === '!') {
      if (b.startsWith('<!--', lt)) return this.skip(b, lt, '-->');
      if (b.startsWith('<![CDATA[', lt)) {
        const close = b.indexOf(']]>', lt + 9);
        if (close === -1) return -1;
        if (this.entry) this.appendText(b.slice(lt + 9, close));
        return close + 3;
      }
      if (b.length - lt < 9) return -1; // may still become `<![CDATA[`
      return this.skip(b, lt, '>'); // DOCTYPE
    }
    const end = endOfTag(b, lt + 1); // -1: the tag has not fully arrived
    if (end === -1) return -1;
    if (c === '/') this.close(b.slice(lt + 2, end).trim());
    else {
      const selfClosing = b[end - 1] === '/';
      const body = b.slice(lt + 1, selfClosing ? end - 1 : end);
      const name = NAME.exec(body)?.[0];
      if (!name) throw new JottaProtocolError('malformed XML from the service: a tag without a name');
      this.open(name, body.slice(name.length), selfClosing);
    }
    return end + 1;
  }

  private skip(b: string, lt: number, terminator: string): number {
    const close = b.indexOf(terminator, lt + 2);
    return close === -1 ? -1 : close + terminator.length;
  }

  private open(name: string, attrs: string, selfClosing: boolean): void {
    if (this.rootClosed) throw new JottaProtocolError('malformed XML from the service: an element after the root');
    const depth = this.stack.length;
    if (depth === 0) {
      this.prolog = false;
      if (name !== 'folder' && name !== 'mountPoint') {
        this.whole = ''; // scan() keeps the text from this tag on
        return;
      }
      const root: Node = {};
      attributes(root, attrs);
      this.out.push({ kind: 'root', root: name, deleted: root['@_deleted'] !== undefined });
    } else if (this.entry) {
      this.entry.hasChildren = true;
      this.entry = { name, node: {}, text: '', parent: this.entry, hasChildren: false };
      attributes(this.entry.node!, attrs);
    } else if (depth === 2 && ((name === 'folder' && this.stack[1] === 'folders') || (name === 'file' && this.stack[1] === 'files'))) {
      this.entry = { name, node: {}, text: '', hasChildren: false };
      this.entryChars = 0;
      attributes(this.entry.node!, attrs);
    }
    if (selfClosing) this.closed(name);
    else this.stack.push(name);
  }

  private close(name: string): void {
    const top = this.stack.pop();
    if (top !== name) throw new JottaProtocolError(`malformed XML from the service: </${name}> closes <${top ?? 'nothing'}>`);
    this.closed(name);
  }

  /** An element ended (its end tag, or it was self-closing). */
  private closed(name: string): void {
    if (this.stack.length === 0) {
      this.rootClosed = true;
      return;
    }
    const entry = this.entry;
    if (!entry) return;
    if (entry.parent) {
      // `<revision>` items are lists in the whole-document parser too.
      attach(entry.parent.node!, name, finish(entry), name === 'revision' && entry.parent.name === 'revisions');
      this.entry = entry.parent;
      return;
    }
    const node = finish(entry);
    const shaped = typeof node === 'object' ? (node as Node) : {};
    this.entry = undefined;
    if (name === 'folder') this.out.push({ kind: 'folder', folder: decodeFolderRef(shaped) });
    else this.out.push({ kind: 'file', file: decodeFile(shaped) });
  }
}

/**
 * The items of a `GET {path}` answer in document order: `root`, then the folder's subfolders and
 * files; or one `document` when the path is not a folder. Throws JottaProtocolError for a damaged
 * or truncated answer.
 */
export async function* readFolderListing(body: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>): AsyncGenerator<FolderListingItem> {
  const decoder = new TextDecoder('utf-8', { fatal: false });
  const scanner = new FolderListingScanner();
  for await (const chunk of body) yield* scanner.push(typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }));
  yield* scanner.push(decoder.decode());
  yield* scanner.end();
}
