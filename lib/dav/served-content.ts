/**
 * Headers that keep a user's file from running script on the bridge's origin, where the browser
 * holds the user's Basic credentials: otherwise an uploaded .html or .svg opened from the folder
 * page could act as whoever views it (another user of a shared account, or an admin).
 *
 * Chosen: `Content-Security-Policy: sandbox` with `X-Content-Type-Options: nosniff` on every
 * file, rather than `Content-Disposition: attachment` for a list of active types. The sandbox
 * needs no list (HTML, SVG, XHTML, XML with stylesheets, and types the remote reports are all
 * covered), files still open in the browser (an HTML file shows, without its script, in an
 * origin of its own), and nosniff stops a browser from reading a text or unknown file as HTML.
 *
 * One exception: PDF. Chromium refuses to show a PDF whose document is sandboxed (its viewer is
 * a plugin, which no sandbox flag re-enables), and a PDF cannot run script on the origin: with
 * nosniff and this type the browser only ever hands it to its PDF viewer.
 */
export function servedContentHeaders(contentType: string): Record<string, string> {
  const headers: Record<string, string> = { 'X-Content-Type-Options': 'nosniff' };
  const mediaType = contentType.split(';')[0]?.trim().toLowerCase();
  if (mediaType !== 'application/pdf') headers['Content-Security-Policy'] = 'sandbox';
  return headers;
}
