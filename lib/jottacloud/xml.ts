/**
 * Decodes JFS XML (docs/jottacloud-protocol.md "XML documents") into the shapes of wire-types.ts.
 * Lenient like rclone's decoder: unknown elements are ignored, empty elements are undefined,
 * numeric character references and HTML entities are decoded.
 */
import { XMLParser, type MatcherView } from 'fast-xml-parser';
import { parseJottaTime } from './time.js';
import type {
  JfsDocument,
  JottaDevice,
  JottaFile,
  JottaFolder,
  JottaFolderRef,
  JottaMountPoint,
  JottaRevision,
  JottaUser,
  XmlErrorBody,
} from './wire-types.js';
import { JottaProtocolError } from './errors.js';

/** An element as the parser shapes it: `@_name` attributes, child elements by name, `#text`. */
export type Node = Record<string, unknown>;

/**
 * Elements that repeat inside their plural wrapper (folders/folder, files/file, …). The same names
 * are also document roots (a `<folder>` or `<file>` document), which must stay objects: a root is
 * at depth 1, an item at depth 3 or more — no path string is built per tag.
 */
const REPEATED = new Set(['folder', 'file', 'device', 'mountPoint', 'revision']);

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  // Names such as "0001" or "1e3" must stay strings; numbers are converted per field below.
  parseTagValue: false,
  parseAttributeValue: false,
  // Names may start or end with spaces (rclone's own test tree has " ' @ …" with a leading space).
  trimValues: false,
  htmlEntities: true,
  // Hand callbacks the parser's matcher instead of a path string built for every tag and attribute.
  jPath: false,
  isArray: (name, matcher, _leaf, isAttribute) => !isAttribute && REPEATED.has(name) && (matcher as MatcherView).getDepth() > 1,
});

/** The start of the root element, after the XML declaration, comments and a DOCTYPE. */
const ROOT_START = /^\s*(?:(?:<\?[\s\S]*?\?>|<!--[\s\S]*?-->|<!DOCTYPE[^>]*>)\s*)*<([A-Za-z_][\w.:-]*)/;

/**
 * The parser accepts truncated documents, and a cut-off listing must not look complete. A cut
 * removes the tail, so a whole document ends with its root's closing tag (or is one self-closing
 * element), and every element named like the root (a `<folder>` listing holds `<folder>` children)
 * is closed. Checking that costs a few indexOf scans, where a full validation pass cost ~30% of the
 * parse; inner damage that leaves the end intact is the parser's to report (mismatched tags).
 */
function assertComplete(xml: string): void {
  const start = ROOT_START.exec(xml);
  if (!start) throw new JottaProtocolError('malformed XML from the service: no root element');
  const root = start[1]!;
  const truncated = () => new JottaProtocolError(`malformed XML from the service: <${root}> is not closed (truncated?)`);
  let end = xml.length;
  while (end > 0 && isSpace(xml[end - 1])) end--;
  if (xml[end - 1] !== '>') throw truncated();
  const rootAt = start.index + start[0].length - root.length - 1;
  const close = xml.lastIndexOf('</', end);
  if (close > rootAt && xml.slice(close + 2, end - 1).trimEnd() === root) {
    if (!sameNameBalanced(xml, root, rootAt, end)) throw truncated();
    return;
  }
  // `<root .../>`: nothing may follow its start but its attributes (a raw '<' cannot be in them).
  if (xml[end - 2] === '/' && xml.indexOf('<', rootAt + 1) === -1) return;
  throw truncated();
}

function isSpace(c: string | undefined): boolean {
  return c === ' ' || c === '\n' || c === '\r' || c === '\t';
}

/** Every non-self-closing `<name …>` from `from` on has its `</name>`. */
function sameNameBalanced(xml: string, name: string, from: number, end: number): boolean {
  const open = '<' + name;
  let opened = 0;
  for (let at = xml.indexOf(open, from); at !== -1 && at < end; at = xml.indexOf(open, at)) {
    at += open.length;
    const next = xml[at];
    if (next !== '>' && next !== '/' && !isSpace(next)) continue; // `<folders>`
    const tagEnd = endOfTag(xml, at);
    if (tagEnd === -1) return false;
    if (xml[tagEnd - 1] !== '/') opened++;
    at = tagEnd + 1;
  }
  const shut = '</' + name;
  let closed = 0;
  for (let at = xml.indexOf(shut, from); at !== -1 && at < end; at = xml.indexOf(shut, at)) {
    at += shut.length;
    const next = xml[at];
    if (next === '>' || isSpace(next)) closed++;
  }
  return opened === closed;
}

/** The `>` that ends the tag whose attributes start at `at` (a quoted value may hold `>`); -1 if none. */
export function endOfTag(xml: string, at: number): number {
  let quote = '';
  for (let i = at; i < xml.length; i++) {
    const c = xml[i]!;
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '>') return i;
  }
  return -1;
}

/** Parses XML text; the root element's name and content. */
export function parseXmlRoot(xml: string): { root: string; node: Node } {
  assertComplete(xml);
  let doc: Node;
  try {
    doc = parser.parse(xml) as Node;
  } catch (error) {
    throw new JottaProtocolError(`malformed XML from the service: ${(error as Error).message}`, { cause: error });
  }
  for (const [key, value] of Object.entries(doc)) {
    if (key.startsWith('?') || key.startsWith('#') || key.startsWith('!')) continue;
    return { root: key, node: asNode(value) };
  }
  throw new JottaProtocolError('XML document without a root element');
}

function asNode(value: unknown): Node {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value as Node;
  // `<folder name="x"/>` parses to '' and `<x>text</x>` to 'text'.
  return typeof value === 'string' && value !== '' ? { '#text': value } : {};
}

/** Text content of a child element; `xml:space="preserve"` elements arrive as objects. */
function text(node: Node, key: string, trim = true): string | undefined {
  const value = node[key];
  let raw: unknown = value;
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) raw = (value as Node)['#text'];
  if (raw === undefined || raw === null) return undefined;
  const s = String(raw);
  const out = trim ? s.trim() : s;
  return out === '' ? undefined : out;
}

function attr(node: Node, name: string): string | undefined {
  const value = node[`@_${name}`];
  return value === undefined ? undefined : String(value);
}

/** Empty numbers happen (`<size></size>` on Trash): undefined, not 0 and not NaN. */
function num(node: Node, key: string): number | undefined {
  const s = text(node, key);
  if (s === undefined) return undefined;
  const n = Number(s);
  return Number.isFinite(n) ? n : undefined;
}

function bool(node: Node, key: string): boolean | undefined {
  const s = text(node, key)?.toLowerCase();
  return s === 'true' ? true : s === 'false' ? false : undefined;
}

function list(node: Node, wrapper: string, item: string): Node[] {
  const w = node[wrapper];
  if (w === null || typeof w !== 'object') return []; // wrapper omitted when empty
  const items = (w as Node)[item];
  return Array.isArray(items) ? items.map(asNode) : items === undefined ? [] : [asNode(items)];
}

function revision(node: Node | undefined): JottaRevision | undefined {
  if (!node) return undefined;
  return {
    number: num(node, 'number'),
    state: text(node, 'state'),
    created: parseJottaTime(text(node, 'created')),
    modified: parseJottaTime(text(node, 'modified')),
    updated: parseJottaTime(text(node, 'updated')),
    mime: text(node, 'mime'),
    size: num(node, 'size'),
    // Uppercase md5 was observed in older responses: normalise once, here.
    md5: text(node, 'md5')?.toLowerCase(),
  };
}

function child(node: Node, key: string): Node | undefined {
  const v = node[key];
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Node) : undefined;
}

export function decodeFile(node: Node): JottaFile {
  const deletedAttr = attr(node, 'deleted');
  return {
    name: attr(node, 'name') ?? '',
    uuid: attr(node, 'uuid'),
    deleted: deletedAttr !== undefined,
    deletedAt: parseJottaTime(deletedAttr),
    path: text(node, 'path', false),
    abspath: text(node, 'abspath', false),
    publicURI: text(node, 'publicURI'),
    publicSharePath: text(node, 'publicSharePath'),
    currentRevision: revision(child(node, 'currentRevision')),
    latestRevision: revision(child(node, 'latestRevision')),
    revisions: list(node, 'revisions', 'revision').map((r) => revision(r)!),
  };
}

export function decodeFolderRef(node: Node): JottaFolderRef {
  const deletedAttr = attr(node, 'deleted');
  return {
    name: attr(node, 'name') ?? '',
    deleted: deletedAttr !== undefined,
    deletedAt: parseJottaTime(deletedAttr),
    abspath: text(node, 'abspath', false),
    modified: parseJottaTime(text(node, 'modified')),
    created: parseJottaTime(text(node, 'created')),
  };
}

export function decodeFolder(root: 'folder' | 'mountPoint', node: Node): JottaFolder {
  const deletedAttr = attr(node, 'deleted');
  return {
    root,
    name: root === 'folder' ? (attr(node, 'name') ?? '') : (text(node, 'name', false) ?? ''),
    deleted: deletedAttr !== undefined,
    deletedAt: parseJottaTime(deletedAttr),
    path: text(node, 'path', false),
    abspath: text(node, 'abspath', false),
    publicURI: text(node, 'publicURI'),
    publicSharePath: text(node, 'publicSharePath'),
    modified: parseJottaTime(text(node, 'modified')),
    folders: list(node, 'folders', 'folder').map(decodeFolderRef),
    files: list(node, 'files', 'file').map(decodeFile),
  };
}

/** Any JFS path document: file, folder or mount point. */
export function parseJfsDocument(xml: string): JfsDocument {
  const { root, node } = parseXmlRoot(xml);
  if (root === 'file') return { kind: 'file', file: decodeFile(node) };
  if (root === 'folder' || root === 'mountPoint') return { kind: 'folder', folder: decodeFolder(root, node) };
  return { kind: 'other', root };
}

function mountPoint(node: Node): JottaMountPoint {
  return {
    name: text(node, 'name', false) ?? '',
    size: num(node, 'size'),
    modified: parseJottaTime(text(node, 'modified')),
    deleted: node['deleted'] !== undefined,
  };
}

function device(node: Node): JottaDevice {
  return {
    name: text(node, 'name', false) ?? '',
    displayName: text(node, 'display_name', false),
    type: text(node, 'type'),
    sid: text(node, 'sid'),
    size: num(node, 'size'),
    modified: parseJottaTime(text(node, 'modified')),
    user: text(node, 'user'),
    mountPoints: list(node, 'mountPoints', 'mountPoint').map(mountPoint),
  };
}

export function parseDevice(xml: string): JottaDevice {
  const { root, node } = parseXmlRoot(xml);
  if (root !== 'device') throw new JottaProtocolError(`expected <device>, got <${root}>`);
  return device(node);
}

export function parseUser(xml: string): JottaUser {
  const { root, node } = parseXmlRoot(xml);
  if (root !== 'user') throw new JottaProtocolError(`expected <user>, got <${root}>`);
  return {
    username: text(node, 'username') ?? '',
    accountType: text(node, 'account-type'),
    locked: bool(node, 'locked'),
    capacity: num(node, 'capacity'),
    maxDevices: num(node, 'max-devices'),
    usage: num(node, 'usage'),
    readLocked: bool(node, 'read-locked'),
    writeLocked: bool(node, 'write-locked'),
    quotaWriteLocked: bool(node, 'quota-write-locked'),
    devices: list(node, 'devices', 'device').map(device),
  };
}

/** `<error>` body; undefined when the text is not such a document. */
export function parseXmlError(xml: string): XmlErrorBody | undefined {
  if (!/<error[\s>]/.test(xml)) return undefined;
  try {
    const { root, node } = parseXmlRoot(xml);
    if (root !== 'error') return undefined;
    return {
      code: num(node, 'code'),
      message: text(node, 'message'),
      reason: text(node, 'reason'),
      cause: text(node, 'cause'),
      hostname: text(node, 'hostname'),
      xId: text(node, 'x-id'),
    };
  } catch {
    return undefined;
  }
}
