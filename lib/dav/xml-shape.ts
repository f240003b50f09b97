import { DavError } from './errors.js';
import { MAX_XML_ATTRIBUTES, MAX_XML_DEPTH, MAX_XML_ELEMENTS } from './limits.js';

/**
 * One pass over a request body's markup, before the parser sees it: bounds the nesting (our
 * conversion recurses), the number of elements and the attributes per element, so that the
 * parser's work stays small whatever the body holds. Each character is looked at once (every
 * search starts where the previous one ended), so a body of 500,000 `<` costs one scan.
 * It decides only what it must; anything else malformed is left to the validator.
 */
export function checkXmlShape(text: string): void {
  let depth = 0;
  let elements = 0;
  for (let at = text.indexOf('<'); at >= 0; at = text.indexOf('<', at)) {
    const next = text.charCodeAt(at + 1);
    if (text.startsWith('<!--', at)) at = after(text, '-->', at + 4);
    else if (text.startsWith('<![CDATA[', at)) at = after(text, ']]>', at + 9);
    else if (next === QUESTION) at = after(text, '?>', at + 2);
    else if (next === SLASH) {
      depth--;
      at = after(text, '>', at + 2);
    } else if (isNameStart(next)) {
      const tag = startTag(text, at);
      if (tag.attributes > MAX_XML_ATTRIBUTES) throw DavError.badRequest(`an XML element with more than ${MAX_XML_ATTRIBUTES} attributes`);
      if (++elements > MAX_XML_ELEMENTS) throw DavError.payloadTooLarge(`XML with more than ${MAX_XML_ELEMENTS} elements`);
      if (!tag.empty && ++depth > MAX_XML_DEPTH) throw DavError.badRequest(`XML nested deeper than ${MAX_XML_DEPTH}`);
      at = tag.end;
    } else throw malformed('a "<" that starts no tag');
  }
}

const QUESTION = 0x3f;
const SLASH = 0x2f;
const QUOTE = 0x22;
const APOSTROPHE = 0x27;
const GT = 0x3e;

/** XML name start characters, leniently: ASCII letters, '_', ':' and anything beyond ASCII. */
function isNameStart(code: number): boolean {
  return (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a) || code === 0x5f || code === 0x3a || code >= 0x80;
}

/** Index just past `terminator`, searched from `from`. */
function after(text: string, terminator: string, from: number): number {
  const found = text.indexOf(terminator, from);
  if (found < 0) throw malformed(`an unterminated construct (no "${terminator}")`);
  return found + terminator.length;
}

/** A start tag from its '<': where it ends, whether it is empty (`/>`), how many attributes. */
function startTag(text: string, at: number): { end: number; empty: boolean; attributes: number } {
  let attributes = 0;
  for (let i = at + 1; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === GT) return { end: i + 1, empty: text.charCodeAt(i - 1) === SLASH, attributes };
    if (code === QUOTE || code === APOSTROPHE) {
      // An attribute value: skipped whole, so a '>' inside it does not end the tag.
      attributes++;
      i = text.indexOf(String.fromCharCode(code), i + 1);
      if (i < 0) break;
    }
  }
  throw malformed('an unterminated start tag');
}

function malformed(what: string): DavError {
  return DavError.badRequest(`malformed XML: ${what}`);
}
