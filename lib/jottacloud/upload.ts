/**
 * Upload: allocate, then POST the bytes from `resume_pos`. A dropped
 * connection (or a 420 partial upload, or a retryable status) never restarts from byte 0: the
 * upload is re-allocated, which reports how much the server kept, and continues from there.
 * COMPLETED on allocate is the dedup fast path: no bytes are sent at all.
 */
import type { Readable } from 'node:stream';
import { backoffDelay, isConnectionError, sleep } from '../util/retry.js';
import type { JfsLocation, JottacloudClient } from './client.js';
import { JottaAbortError, JottaHttpError, JottaIntegrityError, JottaNetworkError, JottaProtocolError } from './errors.js';
import { RETRYABLE_STATUSES } from './http.js';
import { formatRfc3339 } from './time.js';
import type { AllocateRequest, AllocateResponse, JottaFile, JottaRevision, UploadResponse } from './wire-types.js';

export interface UploadSource {
  size: number;
  /** Hex MD5 of the whole body: the service wants it before the bytes. */
  md5: string;
  modified?: Date;
  created?: Date;
  open(offset: number): Readable | Promise<Readable>;
}

export interface UploadOptions {
  /** Re-allocations after a failed byte transfer before giving up. Default 5. */
  maxResumes?: number;
  signal?: AbortSignal;
}

function recoverable(error: unknown): boolean {
  if (error instanceof JottaHttpError) {
    // 420: the server kept a partial body (IncompleteUploadOpenApiException) — resume.
    return error.status === 420 || RETRYABLE_STATUSES.has(error.status);
  }
  return error instanceof JottaNetworkError || isConnectionError(error);
}

export async function uploadFile(client: JottacloudClient, at: JfsLocation, source: UploadSource, options: UploadOptions = {}): Promise<JottaFile> {
  const { size } = source;
  const md5 = String(source.md5).toLowerCase();
  if (!Number.isSafeInteger(size) || size < 0) throw new RangeError(`upload: bad size ${size}`);
  if (!/^[0-9a-f]{32}$/.test(md5)) throw new RangeError('upload: md5 must be 32 hex digits');
  const request: AllocateRequest = { bytes: size, md5, path: client.allocatePathOf(at) };
  if (source.modified) request.modified = formatRfc3339(source.modified);
  // rclone sends created = modified when no creation time is known.
  const created = source.created ?? source.modified;
  if (created) request.created = formatRfc3339(created);

  const stopKeepingFresh = client.http.tokens.keepFresh();
  let allocated: AllocateResponse | undefined;
  let answer: UploadResponse | undefined;
  try {
    const maxResumes = options.maxResumes ?? 5;
    for (let resumes = 0; ; resumes++) {
      if (options.signal?.aborted) throw new JottaAbortError('upload aborted');
      const allocation = await client.allocate(request, options.signal);
      allocated = allocation;
      if (allocation.state === 'COMPLETED') break;
      if (!allocation.upload_url) throw new JottaProtocolError(`allocate answered ${allocation.state} without an upload_url`);
      const position = allocation.resume_pos ?? 0;
      if (!Number.isSafeInteger(position) || position < 0 || position > size) {
        throw new JottaProtocolError(`allocate answered an impossible resume_pos ${String(allocation.resume_pos)} for ${size} bytes`);
      }
      try {
        answer = await sendBytes(client, allocation.upload_url, source, position, md5, options.signal);
        break;
      } catch (error) {
        if (options.signal?.aborted) throw new JottaAbortError('upload aborted', { cause: error });
        if (!recoverable(error) || resumes >= maxResumes) throw error;
        const retryAfter = error instanceof JottaHttpError ? (error.retryAfterMs ?? 0) : 0;
        await sleep(Math.max(retryAfter, backoffDelay(resumes + 1, client.http.policy)), options.signal);
      }
    }
  } finally {
    stopKeepingFresh();
  }
  // Two round trips, like the direct protocol: what the file now is comes from the allocate and
  // upload answers. Only an upload answer without its md5 and size (never seen) is read back.
  const deduplicated = allocated?.state === 'COMPLETED';
  if (allocated && (deduplicated || (answer?.md5 && answer.bytes !== undefined))) return uploadedFile(at, allocated, deduplicated ? undefined : answer, source, md5, created);
  const doc = await client.get(at);
  if (doc.kind !== 'file') throw new JottaProtocolError('the uploaded path is not a file');
  const rev = doc.file.currentRevision;
  if (rev?.state !== 'COMPLETED' || rev.md5 !== md5 || (rev.size !== undefined && rev.size !== size)) {
    throw new JottaIntegrityError(`stored file does not match the upload (md5 ${rev?.md5 ?? '?'} size ${rev?.size ?? '?'}, expected ${md5} ${size})`);
  }
  return doc.file;
}

/**
 * The file as the answers describe it. COMPLETED on allocate means the content and the requested
 * times are stored; the upload answer confirms md5, size and the stored modification time.
 * `updated` is the service's clock, which neither answer carries: the time the answer arrived
 * stands in (listings show the service's own value once the folder is listed again).
 */
function uploadedFile(at: JfsLocation, allocated: AllocateResponse, answer: UploadResponse | undefined, source: UploadSource, md5: string, created: Date | undefined): JottaFile {
  if (answer?.bytes !== undefined && answer.bytes !== source.size) {
    throw new JottaIntegrityError(`upload answered ${answer.bytes} bytes, expected ${source.size}`);
  }
  const revision: JottaRevision = { state: 'COMPLETED', size: source.size, md5, updated: new Date() };
  const modified = answer?.modified !== undefined ? new Date(answer.modified) : source.modified;
  if (modified && !Number.isNaN(modified.getTime())) revision.modified = modified;
  if (created) revision.created = created;
  // Unconfirmed whether allocate echoes the stored spelling of an existing name of another case;
  // the vfs addresses an existing file by its stored name, so both agree there.
  const name = allocated.name || at.segments[at.segments.length - 1] || '';
  return { name, deleted: false, currentRevision: revision, revisions: [] };
}

/** Sends the bytes from `position`; the service's answer, undefined when it was not JSON. */
async function sendBytes(client: JottacloudClient, url: string, source: UploadSource, position: number, md5: string, signal?: AbortSignal): Promise<UploadResponse | undefined> {
  const remaining = source.size - position;
  let opened: Readable | undefined;
  const headers: Record<string, string> = {
    'Content-Type': 'application/octet-stream',
    'Content-Length': String(remaining),
  };
  // Vendor quirk: a Range *request* header tells the server where these bytes go on a resume.
  if (position > 0) headers['Range'] = `bytes=${position}-${source.size - 1}`;
  try {
    const res = await client.http.call({
      method: 'POST',
      url,
      headers,
      body: async () => {
        opened?.destroy();
        if (remaining === 0) return undefined;
        opened = await source.open(position);
        return opened;
      },
      retry: 'never',
      // The answer comes only after the whole body: no header timeout for the byte transfer.
      timeoutMs: 0,
      signal,
    });
    const text = await res.text();
    let answer: UploadResponse | undefined;
    try {
      answer = JSON.parse(text) as UploadResponse;
    } catch {
      answer = undefined; // the file is read back instead
    }
    if (answer?.md5 && answer.md5.toLowerCase() !== md5) {
      throw new JottaIntegrityError(`upload answered md5 ${answer.md5}, expected ${md5}`);
    }
    return answer;
  } finally {
    opened?.destroy();
  }
}
