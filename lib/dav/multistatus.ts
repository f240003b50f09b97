import { escapeXml, XML_DECL } from './xml.js';

/**
 * Builds a 207 body from parts joined once at the end, so a folder of n children costs O(n)
 * string work rather than repeated concatenation of a growing document.
 */
export class Multistatus {
  private readonly parts: string[] = [XML_DECL, '<D:multistatus xmlns:D="DAV:">'];

  /** A response with one propstat per status; `props` are rendered property elements. */
  propstats(href: string, byStatus: Map<number, string[]>): void {
    this.parts.push('<D:response><D:href>', escapeXml(href), '</D:href>');
    for (const [status, props] of byStatus) {
      if (props.length === 0) continue;
      this.parts.push('<D:propstat><D:prop>', ...props, `</D:prop><D:status>HTTP/1.1 ${status} ${reason(status)}</D:status></D:propstat>`);
    }
    this.parts.push('</D:response>');
  }

  /** A response carrying a single status for `href` (DELETE, COPY partial failures). */
  status(href: string, status: number, error?: string): void {
    this.parts.push('<D:response><D:href>', escapeXml(href), `</D:href><D:status>HTTP/1.1 ${status} ${reason(status)}</D:status>`);
    if (error) this.parts.push(`<D:error><D:${error}/></D:error>`);
    this.parts.push('</D:response>');
  }

  toString(): string {
    return [...this.parts, '</D:multistatus>'].join('');
  }
}

const REASONS: Record<number, string> = {
  200: 'OK',
  201: 'Created',
  204: 'No Content',
  400: 'Bad Request',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  412: 'Precondition Failed',
  423: 'Locked',
  424: 'Failed Dependency',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  507: 'Insufficient Storage',
};

export function reason(status: number): string {
  return REASONS[status] ?? 'Unknown';
}
