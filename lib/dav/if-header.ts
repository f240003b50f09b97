import { DavError } from './errors.js';

/**
 * The If header of RFC 4918 §10.4:
 *   If = ( 1*No-tag-list | 1*Tagged-list )
 *   Tagged-list = Resource-Tag 1*List ;  List = "(" 1*Condition ")"
 *   Condition = ["Not"] ( State-token | "[" entity-tag "]" )
 * Parsing is strict: anything outside the grammar is a 400, never a silently ignored header.
 */

export interface IfCondition {
  not: boolean;
  /** A state token (lock token or any Coded-URL such as DAV:no-lock), without brackets. */
  token?: string;
  /** An entity tag as sent, quotes (and any W/) included. */
  etag?: string;
}

export interface IfList {
  /** The Resource-Tag (absolute URI or path) without brackets; undefined for No-tag-lists. */
  resource?: string;
  conditions: IfCondition[];
}

const MAX_IF_LENGTH = 16 * 1024;

export function parseIfHeader(value: string): IfList[] {
  if (value.length > MAX_IF_LENGTH) throw DavError.badRequest('If header too long');
  const lists: IfList[] = [];
  let i = 0;
  let tagged: boolean | undefined;
  let resource: string | undefined;
  const fail = (why: string): never => {
    throw DavError.badRequest(`malformed If header: ${why}`);
  };
  const skipSpace = () => {
    while (i < value.length && (value[i] === ' ' || value[i] === '\t')) i++;
  };
  const codedUrl = (): string => {
    const end = value.indexOf('>', i);
    if (end < 0) fail('unterminated <');
    const inner = value.slice(i + 1, end);
    if (inner === '' || /[\s<]/.test(inner)) fail('bad Coded-URL');
    i = end + 1;
    return inner;
  };
  skipSpace();
  if (i >= value.length) fail('empty');
  while (i < value.length) {
    if (value[i] === '<') {
      if (tagged === false) fail('tagged and untagged lists mixed');
      tagged = true;
      resource = codedUrl();
      skipSpace();
      if (value[i] !== '(') fail('a Resource-Tag needs a list');
      continue;
    }
    if (value[i] !== '(') fail(`unexpected '${value[i]}'`);
    if (tagged === undefined) tagged = false;
    i++;
    const conditions: IfCondition[] = [];
    for (;;) {
      skipSpace();
      if (i >= value.length) fail('unterminated list');
      if (value[i] === ')') {
        i++;
        break;
      }
      let not = false;
      if (value.slice(i, i + 3).toLowerCase() === 'not' && /^[ \t<[]/.test(value.slice(i + 3, i + 4))) {
        not = true;
        i += 3;
        skipSpace();
      }
      if (value[i] === '<') conditions.push({ not, token: codedUrl() });
      else if (value[i] === '[') {
        i++;
        const m = /^(W\/)?"[^"]*"/.exec(value.slice(i));
        if (!m) fail('bad entity tag');
        const etag = (m as RegExpExecArray)[0];
        i += etag.length;
        if (value[i] !== ']') fail('unterminated [');
        i++;
        conditions.push({ not, etag });
      } else fail('expected a state token or an entity tag');
    }
    if (conditions.length === 0) fail('empty list');
    lists.push(resource === undefined ? { conditions } : { resource, conditions });
    skipSpace();
  }
  return lists;
}

/** Every state token the client submitted positively (RFC 4918 §10.4.1: "submitted" tokens). */
export function submittedTokens(lists: IfList[]): Set<string> {
  const tokens = new Set<string>();
  for (const list of lists) for (const c of list.conditions) if (c.token !== undefined && !c.not) tokens.add(c.token);
  return tokens;
}

/** What a condition is compared with: the state of one resource. */
export interface ResourceState {
  /** Quoted strong ETag; undefined when the resource does not exist or has none. */
  etag: string | undefined;
  /** Tokens of the locks that cover the resource. */
  lockTokens: ReadonlySet<string>;
}

function etagMatches(condition: string, current: string | undefined): boolean {
  if (current === undefined) return false;
  // Weak comparison (RFC 7232 §2.3.2): the If header does not ask for a strong one.
  return condition.replace(/^W\//, '') === current.replace(/^W\//, '');
}

/**
 * true when at least one list is true; a list is true when all of its conditions are.
 * `stateOf` is asked once per distinct resource (undefined = the request URI).
 */
export async function evaluateIf(lists: IfList[], stateOf: (resource: string | undefined) => Promise<ResourceState>): Promise<boolean> {
  const cache = new Map<string | undefined, Promise<ResourceState>>();
  const state = (resource: string | undefined) => {
    let s = cache.get(resource);
    if (!s) cache.set(resource, (s = stateOf(resource)));
    return s;
  };
  for (const list of lists) {
    const s = await state(list.resource);
    const ok = list.conditions.every((c) => {
      const match = c.token !== undefined ? s.lockTokens.has(c.token) : etagMatches(c.etag as string, s.etag);
      return c.not ? !match : match;
    });
    if (ok) return true;
  }
  return false;
}
