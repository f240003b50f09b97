/**
 * The emulator's own tiny XML writer. Names travel in attributes and text, so every value is
 * escaped for both (`& < > " '`). Root elements carry `time` and `host` like the service's.
 */
import { formatJottaTime } from './jotta-time.js';

export const HOST_NAME = 'dn-emu';

export function escapeXml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

export type Attrs = Record<string, string | number | undefined>;

export function attrs(a: Attrs): string {
  let out = '';
  for (const [k, v] of Object.entries(a)) if (v !== undefined) out += ` ${k}="${escapeXml(String(v))}"`;
  return out;
}

/** `<name attrs>inner</name>`; inner is already-built XML. */
export function el(name: string, a: Attrs, inner: string): string {
  return `<${name}${attrs(a)}>${inner}</${name}>`;
}

/** Text element; undefined or empty renders as an empty element (`<size></size>`), as the service does. */
export function text(name: string, value: string | number | undefined, a: Attrs = {}): string {
  return `<${name}${attrs(a)}>${value === undefined ? '' : escapeXml(String(value))}</${name}>`;
}

/** `<name xml:space="preserve">value</name>`, the form of device/mount point names and paths. */
export function preserved(name: string, value: string): string {
  return text(name, value, { 'xml:space': 'preserve' });
}

/** A wrapper such as `<files>…</files>`, omitted when empty. */
export function wrapper(name: string, items: string[]): string {
  return items.length === 0 ? '' : `<${name}>${items.join('')}</${name}>`;
}

/** A whole document: declaration plus root with `time`/`host` first-class attributes. */
export function document(root: string, a: Attrs, inner: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n${el(root, { ...a, time: formatJottaTime(Date.now()), host: HOST_NAME }, inner)}`;
}

let xid = 100_000_000_000;

/** The JFS error body; `<code>` always equals the HTTP status (rclone reads it). */
export function errorDocument(status: number, message: string, reason: string, cause = ''): string {
  xid += 1;
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n<error>' +
    text('code', status) + text('message', message) + text('reason', reason) + text('cause', cause) +
    text('hostname', HOST_NAME) + text('x-id', xid) + '</error>'
  );
}

export function nextXid(): string {
  xid += 1;
  return String(xid);
}
