import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { DavError } from './errors.js';
import { checkXmlShape } from './xml-shape.js';

/**
 * Namespace-aware XML on top of fast-xml-parser, which knows nothing of namespaces: we parse in
 * document order and resolve prefixes ourselves. DOCTYPEs are refused outright and the parser's
 * entity handling is off, so no entity expansion (billion laughs, external entities) can happen;
 * only the five predefined entities and character references are decoded, here.
 */

export const DAV_NS = 'DAV:';
const XML_NS = 'http://www.w3.org/XML/1998/namespace';

export interface XmlElement {
  ns: string;
  local: string;
  /** Attributes other than namespace declarations, keyed by `{ns}local` (ns '' for none). */
  attrs: Map<string, { ns: string; local: string; value: string }>;
  children: XmlNode[];
}

export type XmlNode = XmlElement | string;

type Raw = Record<string, unknown>;

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  processEntities: false,
  htmlEntities: false,
  trimValues: false,
  parseTagValue: false,
  parseAttributeValue: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  cdataPropName: '#cdata',
  commentPropName: '#comment',
});

const ENTITY = /&(#x[0-9a-fA-F]+|#[0-9]+|lt|gt|amp|quot|apos);|&/g;
const NAMED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(ENTITY, (_m, ref: string | undefined) => {
    if (ref === undefined) throw DavError.badRequest('unescaped "&" or undefined entity in XML');
    if (ref.startsWith('#')) {
      const code = ref[1] === 'x' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      if (!(code > 0 && code <= 0x10ffff) || (code >= 0xd800 && code <= 0xdfff)) throw DavError.badRequest('bad character reference in XML');
      return String.fromCodePoint(code);
    }
    return NAMED[ref] as string;
  });
}

/** Parses a request body. Any malformation is a DavError 400. */
export function parseXml(text: string): XmlElement {
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) throw DavError.badRequest('DOCTYPE and entity declarations are not accepted', 'no-external-entities');
  // Our conversion is recursive and the parser's work grows with the markup: bound both first.
  checkXmlShape(text);
  const valid = XMLValidator.validate(text);
  if (valid !== true) throw DavError.badRequest(`malformed XML: ${valid.err.msg}`);
  let raw: unknown;
  try {
    raw = parser.parse(text);
  } catch {
    throw DavError.badRequest('malformed XML');
  }
  const roots = (raw as Raw[]).filter((n) => elementName(n) !== undefined);
  if (roots.length !== 1) throw DavError.badRequest('XML must have exactly one root element');
  return convert(roots[0] as Raw, new Map([['xml', XML_NS]]));
}

function elementName(node: Raw): string | undefined {
  return Object.keys(node).find((k) => k !== ':@' && !k.startsWith('#'));
}

function convert(node: Raw, outer: Map<string, string>): XmlElement {
  const qname = elementName(node) as string;
  const rawAttrs = (node[':@'] ?? {}) as Record<string, string>;
  let scope = outer;
  for (const [name, value] of Object.entries(rawAttrs)) {
    if (name === 'xmlns' || name.startsWith('xmlns:')) {
      if (scope === outer) scope = new Map(outer);
      const prefix = name === 'xmlns' ? '' : name.slice(6);
      const uri = decodeEntities(value);
      // Namespaces in XML 1.0: a prefix may not be bound to the empty name (litmus propfind_invalid2).
      if (prefix !== '' && uri === '') throw DavError.badRequest(`prefix '${prefix}' bound to an empty namespace`);
      scope.set(prefix, uri);
    }
  }
  const [ns, local] = resolve(qname, scope, true);
  const attrs = new Map<string, { ns: string; local: string; value: string }>();
  for (const [name, value] of Object.entries(rawAttrs)) {
    if (name === 'xmlns' || name.startsWith('xmlns:')) continue;
    const [ans, alocal] = resolve(name, scope, false);
    attrs.set(`{${ans}}${alocal}`, { ns: ans, local: alocal, value: decodeEntities(String(value)) });
  }
  const children: XmlNode[] = [];
  for (const child of (node[qname] ?? []) as Raw[]) {
    if ('#text' in child) children.push(decodeEntities(String(child['#text'])));
    else if ('#cdata' in child) {
      for (const part of child['#cdata'] as Raw[]) children.push(String(part['#text'] ?? ''));
    } else if (elementName(child) !== undefined) children.push(convert(child, scope));
  }
  return { ns, local, attrs, children };
}

function resolve(qname: string, scope: Map<string, string>, element: boolean): [string, string] {
  const colon = qname.indexOf(':');
  if (colon < 0) return [element ? (scope.get('') ?? '') : '', qname];
  const prefix = qname.slice(0, colon);
  const local = qname.slice(colon + 1);
  const ns = scope.get(prefix);
  if (ns === undefined) throw DavError.badRequest(`undeclared namespace prefix '${prefix}'`);
  if (local === '' || local.includes(':')) throw DavError.badRequest(`bad name '${qname}'`);
  return [ns, local];
}

export function elements(el: XmlElement): XmlElement[] {
  return el.children.filter((c): c is XmlElement => typeof c !== 'string');
}

export function child(el: XmlElement, ns: string, local: string): XmlElement | undefined {
  return elements(el).find((c) => c.ns === ns && c.local === local);
}

export function textOf(el: XmlElement): string {
  return el.children.map((c) => (typeof c === 'string' ? c : textOf(c))).join('');
}

export function isDav(el: XmlElement, local: string): boolean {
  return el.ns === DAV_NS && el.local === local;
}

const ESCAPES: Record<string, string> = { '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' };

/** Element text: only what XML requires, so ETags keep their literal quotes. */
export function escapeXml(text: string): string {
  return text.replace(/[<>&]/g, (c) => ESCAPES[c] as string);
}

export function escapeAttr(text: string): string {
  return text.replace(/[<>&"']/g, (c) => ESCAPES[c] as string);
}

/** `<x:local xmlns:x="ns">` opening parts for an element of any namespace. */
export function openTag(ns: string, local: string, extra = ''): string {
  if (ns === DAV_NS) return `<D:${local}${extra}>`;
  if (ns === '') return `<${local} xmlns=""${extra}>`;
  return `<x:${local} xmlns:x="${escapeAttr(ns)}"${extra}>`;
}

export function closeTag(ns: string, local: string): string {
  if (ns === DAV_NS) return `</D:${local}>`;
  if (ns === '') return `</${local}>`;
  return `</x:${local}>`;
}

export function emptyTag(ns: string, local: string): string {
  return openTag(ns, local).replace(/>$/, '/>');
}

/**
 * Serialises nodes so that the result is self-contained: every element and prefixed attribute
 * declares its own namespace (DAV: excepted, see below), so the fragment can be stored and later
 * embedded in any of our documents.
 */
export function serialise(nodes: XmlNode[]): string {
  const parts: string[] = [];
  const walk = (node: XmlNode, depth: number): void => {
    if (typeof node === 'string') {
      parts.push(escapeXml(node));
      return;
    }
    const prefix = `n${depth}`;
    let attrs = '';
    let i = 0;
    for (const a of node.attrs.values()) {
      if (a.ns === '') attrs += ` ${a.local}="${escapeAttr(a.value)}"`;
      else if (a.ns === XML_NS) attrs += ` xml:${a.local}="${escapeAttr(a.value)}"`;
      else {
        const ap = `a${depth}_${i++}`;
        attrs += ` xmlns:${ap}="${escapeAttr(a.ns)}" ${ap}:${a.local}="${escapeAttr(a.value)}"`;
      }
    }
    // DAV: elements use the D prefix, which every document we embed fragments in binds.
    const name = node.ns === '' ? node.local : node.ns === DAV_NS ? `D:${node.local}` : `${prefix}:${node.local}`;
    const decl = node.ns === '' ? ' xmlns=""' : node.ns === DAV_NS ? '' : ` xmlns:${prefix}="${escapeAttr(node.ns)}"`;
    if (node.children.length === 0) {
      parts.push(`<${name}${decl}${attrs}/>`);
      return;
    }
    parts.push(`<${name}${decl}${attrs}>`);
    for (const c of node.children) walk(c, depth + 1);
    parts.push(`</${name}>`);
  };
  for (const node of nodes) walk(node, 0);
  return parts.join('');
}

export const XML_DECL = '<?xml version="1.0" encoding="utf-8"?>\n';
