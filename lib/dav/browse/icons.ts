import type { FileKind } from './format.js';

/**
 * The page's icons as one inline SVG sprite: markup, not script or style, so the strict
 * Content-Security-Policy allows it and no file is fetched. Each row points at a symbol with
 * <use>; CSS gives each kind its colour through `currentColor`.
 */

const PAGE_OUTLINE = 'M6 2.75h8l4.25 4.25v13.25a1 1 0 0 1-1 1H6a1 1 0 0 1-1-1V3.75a1 1 0 0 1 1-1z';
const LINE = 'fill="none" stroke="currentColor" stroke-width="1.5" stroke-linecap="round" stroke-linejoin="round"';

/** A sheet with a folded corner, with a glyph for the kind drawn over it. */
function page(glyph: string): string {
  return `<path d="${PAGE_OUTLINE}" fill="currentColor" opacity=".12"/><path d="${PAGE_OUTLINE}M14 2.75V7h4.25" ${LINE}/>${glyph}`;
}

const GLYPHS: Record<Exclude<FileKind, 'folder'>, string> = {
  file: '',
  text: `<path d="M8.5 11.5h7M8.5 14.5h7M8.5 17.5h4" ${LINE}/>`,
  document: `<path d="M8.5 11.5h7M8.5 14.5h7M8.5 17.5h4" ${LINE}/>`,
  image: '<circle cx="9.6" cy="11.6" r="1.4" fill="currentColor"/><path d="M7.5 18.25l2.8-3.6 1.9 2.2 1.6-1.9 2.7 3.3z" fill="currentColor"/>',
  audio: `<path d="M10.75 17.5v-6l5-1.2v5.7" ${LINE}/><circle cx="9.4" cy="17.5" r="1.5" fill="currentColor"/><circle cx="14.4" cy="16" r="1.5" fill="currentColor"/>`,
  video: '<path d="M10 11.25v6.5l5.25-3.25z" fill="currentColor"/>',
  archive: `<path d="M11 2.75v1.5h1.5v1.5H11v1.5h1.5v1.5H11v1.5" ${LINE}/><rect x="9.75" y="11.5" width="3.5" height="4" rx=".8" ${LINE}/>`,
  code: `<path d="M10 11.5l-2.5 2.75L10 17M14 11.5l2.5 2.75L14 17" ${LINE}/>`,
  pdf: `<path d="M7.75 12.25h8.5v5h-8.5z" fill="currentColor" opacity=".25"/><path d="M8.5 14.75h7" ${LINE}/>`,
  spreadsheet: `<path d="M8 11h8v7H8zM8 14.5h8M12 11v7" ${LINE}/>`,
  presentation: `<rect x="7.75" y="11.25" width="8.5" height="5.5" rx="1" ${LINE}/><path d="M12 16.75v1.5" ${LINE}/>`,
};

const FOLDER = '<path d="M2.75 6.5c0-.97.78-1.75 1.75-1.75h4.4c.46 0 .9.18 1.23.5l1.52 1.5h7.85c.97 0 1.75.78 1.75 1.75v9c0 .97-.78 1.75-1.75 1.75h-15c-.97 0-1.75-.78-1.75-1.75z" fill="currentColor"/><path d="M2.75 9.25h18.5" stroke="#fff" stroke-opacity=".35" stroke-width="1.2"/>';

/** Interface icons: toolbar and row actions. */
const UI: Record<string, string> = {
  upload: `<path d="M12 15.5V4.5M7.5 9 12 4.5 16.5 9M5 15.5v2.75c0 .69.56 1.25 1.25 1.25h11.5c.69 0 1.25-.56 1.25-1.25V15.5" ${LINE}/>`,
  'new-folder': `<path d="M3.75 6.75c0-.55.45-1 1-1h4.1l1.9 1.9h8.5c.55 0 1 .45 1 1v8.6c0 .55-.45 1-1 1H4.75c-.55 0-1-.45-1-1zM12 10.25v5M9.5 12.75h5" ${LINE}/>`,
  rename: `<path d="M14.5 5.5l4 4M4.75 19.25l1-4.25L15.6 5.15a1.5 1.5 0 0 1 2.12 0l1.13 1.13a1.5 1.5 0 0 1 0 2.12L9 18.25z" ${LINE}/>`,
  delete: `<path d="M4.75 7h14.5M9.75 7V5.25c0-.55.45-1 1-1h2.5c.55 0 1 .45 1 1V7M6.75 7l.8 11.6c.05.8.7 1.4 1.5 1.4h5.9c.8 0 1.45-.6 1.5-1.4l.8-11.6M10.25 10.75v5.5M13.75 10.75v5.5" ${LINE}/>`,
  search: `<circle cx="11" cy="11" r="6" ${LINE}/><path d="M15.5 15.5l4 4" ${LINE}/>`,
  home: `<path d="M4.5 10.5 12 4.25l7.5 6.25M6.5 9v10.25h4v-5h3v5h4V9" ${LINE}/>`,
  user: `<circle cx="12" cy="8.5" r="3.75" ${LINE}/><path d="M4.75 19.5c.9-3.4 3.8-5.25 7.25-5.25s6.35 1.85 7.25 5.25" ${LINE}/>`,
  logo: '<path d="M6.5 18.5h10.25a4.25 4.25 0 0 0 .6-8.46A5.75 5.75 0 0 0 6.2 9.4 4.6 4.6 0 0 0 6.5 18.5z" fill="currentColor"/>',
};

function symbol(id: string, inner: string): string {
  return `<symbol id="i-${id}" viewBox="0 0 24 24">${inner}</symbol>`;
}

export const ICON_SPRITE =
  '<svg class="sprite" aria-hidden="true" focusable="false">' +
  symbol('folder', FOLDER) +
  Object.entries(GLYPHS)
    .map(([kind, glyph]) => symbol(kind, page(glyph)))
    .join('') +
  Object.entries(UI)
    .map(([name, inner]) => symbol(name, inner))
    .join('') +
  '</svg>';

/** An icon from the sprite; decorative (the text beside it says what it is). */
export function icon(id: string, className = ''): string {
  return `<svg class="icon${className ? ` ${className}` : ''}" aria-hidden="true" focusable="false"><use href="#i-${id}"/></svg>`;
}

/** The browser tab's icon, served as its own asset (the page's CSP allows images from 'self' only). */
export const FAVICON_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><rect width="24" height="24" rx="6" fill="#2563eb"/>' +
  '<path d="M7 17h10a3.6 3.6 0 0 0 .5-7.2A5 5 0 0 0 7.9 9.3 3.9 3.9 0 0 0 7 17z" fill="#fff"/></svg>';
