/**
 * Bounds on what a request may make the server walk. Every parser and index of the protocol layer
 * is linear in its input; these bounds keep that input small enough that no single request holds
 * the event loop, and each answers with a 4xx that says which bound was crossed.
 *
 * | what                         | bound      | answer |
 * |------------------------------|------------|--------|
 * | request line + headers       | 32 KiB     | 431    |
 * | request target, Destination  | 8 KiB      | 414    |
 * | path segments (depth)        | 256        | 414    |
 * | XML body                     | 256 KiB    | 413    |
 * | XML elements in one body     | 10,000     | 413    |
 * | XML nesting                  | 64         | 400    |
 * | attributes on one element    | 64         | 400    |
 *
 * Real clients stay far below each (Windows and macOS cap a path at a few thousand characters,
 * and a PROPFIND or PROPPATCH body holds tens of elements).
 */

/** Node's `maxHeaderSize`: the request line and every header together. */
export const MAX_HEADER_BYTES = 32 * 1024;

/** A request target or a path named in a header (Destination, If), in characters as sent. */
export const MAX_URI_LENGTH = 8 * 1024;

/** Segments of a decoded path, base path included. */
export const MAX_PATH_DEPTH = 256;

/**
 * XML request bodies larger than this are refused with 413 before being read. The XML parser
 * spends about a quarter of a second of CPU on a megabyte of text, so the bound is a quarter of
 * that: far above any PROPFIND, PROPPATCH or LOCK a client sends.
 */
export const XML_BODY_LIMIT = 256 * 1024;

export const MAX_XML_ELEMENTS = 10_000;

export const MAX_XML_DEPTH = 64;

export const MAX_XML_ATTRIBUTES = 64;
