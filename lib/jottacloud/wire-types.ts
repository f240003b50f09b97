/**
 * Every shape that crosses the wire, in one place, each with a trimmed sample; what they mean is
 * in docs/jottacloud-protocol.md. XML documents are described as they look *after*
 * lib/jottacloud/xml.ts decoded them: empty elements are undefined, numbers are numbers, times
 * are Dates, md5 is lowercase.
 */

// ---------------------------------------------------------------- auth

/**
 * The personal login token, decoded. The pasted string is base64url(JSON).
 * `{"username":"3kq8…","realm":"jottacloud","well_known_link":"https://id.jottacloud.com/auth/realms/jottacloud/.well-known/openid-configuration","auth_token":"vN3Q…"}`
 */
export interface LoginToken {
  username: string;
  realm?: string;
  well_known_link: string;
  auth_token: string;
}

/**
 * OIDC discovery; only the token endpoint is used.
 * `{"issuer":"https://id.jottacloud.com/auth/realms/jottacloud","token_endpoint":"…/protocol/openid-connect/token",…}`
 */
export interface WellKnown {
  issuer?: string;
  token_endpoint: string;
  authorization_endpoint?: string;
}

/**
 * OAuth token JSON.
 * `{"access_token":"eyJ…","expires_in":3600,"refresh_expires_in":0,"refresh_token":"eyJ…","token_type":"bearer","scope":"openid email offline_access"}`
 */
export interface TokenResponse {
  access_token: string;
  expires_in?: number;
  refresh_expires_in?: number;
  refresh_token?: string;
  token_type?: string;
  id_token?: string;
  session_state?: string;
  scope?: string;
}

/** OAuth error JSON. `{"error":"invalid_grant","error_description":"Stale token"}` */
export interface OAuthErrorBody {
  error: string;
  error_description?: string;
}

// ---------------------------------------------------------------- account

/**
 * `GET {API}account/v1/customer`, JSON.
 * `{"username":"3kq8z1lmd0c7w2vpa9xe4tfh","email":"kari@example.no","name":"Kari Nordmann","account_type":"unlimited","subscription_type":"MONTHLY","usage":1073741824,"quota":-1,"write_locked":false,"read_locked":false}`
 */
export interface CustomerInfo {
  username: string;
  email?: string;
  name?: string;
  country_code?: string;
  language_code?: string;
  customer_group_code?: string;
  brand_code?: string;
  account_type?: string;
  subscription_type?: string;
  usage?: number;
  quota?: number;
  business_usage?: number;
  business_quota?: number;
  write_locked?: boolean;
  read_locked?: boolean;
}

/**
 * `<mountPoint>` inside a device document. Numbers may be empty (Trash: `<size></size>`).
 * `<mountPoint><name xml:space="preserve">Archive</name><size>1073741824</size><modified>2024-03-07-T09:18:44Z</modified></mountPoint>`
 */
export interface JottaMountPoint {
  name: string;
  size?: number;
  modified?: Date;
  /** Deleted custom mount points carry a `<deleted>` child element. */
  deleted: boolean;
}

/**
 * `GET {JFS}{user}/{device}` → `<device>`; also the entries of `<user><devices>`.
 * `<device><name xml:space="preserve">Jotta</name><display_name …>Jotta</display_name><type>JOTTA</type><sid>2f4d…</sid><size>1073741824</size><modified>…</modified><user>3kq8…</user><mountPoints>…</mountPoints></device>`
 */
export interface JottaDevice {
  name: string;
  displayName?: string;
  type?: string;
  sid?: string;
  size?: number;
  modified?: Date;
  user?: string;
  mountPoints: JottaMountPoint[];
}

/**
 * `GET {JFS}{user}` → `<user>`. capacity -1 = unlimited.
 * `<user><username>3kq8…</username><account-type>unlimited</account-type><locked>false</locked><capacity>-1</capacity><usage>1073741824</usage><write-locked>false</write-locked><devices><device>…</device></devices></user>`
 */
export interface JottaUser {
  username: string;
  accountType?: string;
  locked?: boolean;
  capacity?: number;
  maxDevices?: number;
  usage?: number;
  readLocked?: boolean;
  writeLocked?: boolean;
  quotaWriteLocked?: boolean;
  devices: JottaDevice[];
}

// ---------------------------------------------------------------- files and folders

export type RevisionState = 'COMPLETED' | 'INCOMPLETE' | 'CORRUPT' | 'ADDED' | 'PROCESSING';

/**
 * `<currentRevision>`, `<latestRevision>`, `<revision>`. `size` is absent on unfinished
 * revisions; md5 may have been uppercase on the wire.
 * `<currentRevision><number>3</number><state>COMPLETED</state><created>2024-01-10-T08:00:00Z</created><modified>…</modified><mime>application/pdf</mime><size>482113</size><md5>9f86…</md5><updated>…</updated></currentRevision>`
 */
export interface JottaRevision {
  number?: number;
  state?: RevisionState | string;
  created?: Date;
  modified?: Date;
  updated?: Date;
  mime?: string;
  size?: number;
  md5?: string;
}

/**
 * `<file>` — a child in a listing, or the root of a file document.
 * `<file name="q4 summary.pdf" uuid="6e1f…" deleted="2024-02-20-T18:03:27Z"><abspath>…</abspath><publicURI>5c1e…</publicURI><currentRevision>…</currentRevision><revisions>…</revisions></file>`
 */
export interface JottaFile {
  name: string;
  uuid?: string;
  /** The `deleted` attribute is present: the file is in the trash (rclone tests presence only). */
  deleted: boolean;
  deletedAt?: Date;
  path?: string;
  abspath?: string;
  publicURI?: string;
  publicSharePath?: string;
  currentRevision?: JottaRevision;
  latestRevision?: JottaRevision;
  revisions: JottaRevision[];
}

/** `<folder name="Drafts"/>` or a tombstone `<folder name="Old" deleted="…"><abspath>…</abspath></folder>`. */
export interface JottaFolderRef {
  name: string;
  deleted: boolean;
  deletedAt?: Date;
  abspath?: string;
  /** rclone reads `<modified>` on subfolders; the service leaves it out or empty (no folder dates). */
  modified?: Date;
  created?: Date;
}

/**
 * A folder listing: root `<folder>` or `<mountPoint>` (the Trash view is a mountPoint too).
 * `<folder name="Reports" time="…" host="dn-098"><path>/3kq8…/Jotta/Archive</path><folders><folder name="2023"/></folders><files><file …/></files><metadata total="6" …/></folder>`
 */
export interface JottaFolder {
  root: 'folder' | 'mountPoint';
  /** `name` attribute of `<folder>`, `<name>` child of `<mountPoint>`. */
  name: string;
  deleted: boolean;
  deletedAt?: Date;
  path?: string;
  abspath?: string;
  publicURI?: string;
  publicSharePath?: string;
  /** A `<mountPoint>`'s `<modified>`; a `<folder>` document has none. */
  modified?: Date;
  folders: JottaFolderRef[];
  files: JottaFile[];
}

/** A JFS path GET answers with one of these; which one tells file from folder. */
export type JfsDocument =
  | { kind: 'file'; file: JottaFile }
  | { kind: 'folder'; folder: JottaFolder }
  | { kind: 'other'; root: string };

// ---------------------------------------------------------------- upload and trash

/**
 * `POST {API}files/v1/allocate` request; path is `/jfs/{device}/{mountpoint}/…`, not escaped.
 * `{"bytes":482113,"created":"2024-01-10T08:00:00Z","md5":"9f86…","modified":"2024-01-12T16:45:10Z","path":"/jfs/Jotta/Archive/Reports/q4 summary.pdf"}`
 */
export interface AllocateRequest {
  bytes: number;
  created?: string;
  md5: string;
  modified?: string;
  path: string;
}

/**
 * Allocate response. COMPLETED: nothing to send (dedup or same content).
 * `{"name":"q4 summary.pdf","path":"/jfs/Jotta/Archive/Reports/q4 summary.pdf","state":"INCOMPLETE","upload_id":"u-5f2c…","upload_url":"https://up-no-042…/files/v1/upload/u-5f2c…","bytes":482113,"resume_pos":0}`
 */
export interface AllocateResponse {
  name?: string;
  path?: string;
  state: 'COMPLETED' | 'INCOMPLETE' | 'CORRUPT' | string;
  upload_id?: string;
  upload_url?: string;
  bytes?: number;
  resume_pos?: number;
}

/**
 * `POST {upload_url}` success; `modified` is Unix milliseconds.
 * `{"path":"/jfs/Jotta/Archive/Reports/q4 summary.pdf","content_id":"c-7d1a…","bytes":482113,"md5":"9f86…","modified":1705077910000}`
 */
export interface UploadResponse {
  path?: string;
  content_id?: string;
  bytes?: number;
  md5?: string;
  modified?: number;
}

/** `POST {API}files/v1/purge_trash`. `{"folders":2,"files":5}` */
export interface TrashResponse {
  folders?: number;
  files?: number;
}

// ---------------------------------------------------------------- errors

/**
 * JFS XML error; `code` mirrors the HTTP status.
 * `<error><code>404</code><message>no.jotta.backup.errors.NoSuchFileException: File /3kq8…/x.txt does not exist</message><reason>Not Found</reason><cause></cause><hostname>dn-131</hostname><x-id>284615930471</x-id></error>`
 */
export interface XmlErrorBody {
  code?: number;
  message?: string;
  reason?: string;
  cause?: string;
  hostname?: string;
  xId?: string;
}

/** API JSON error. `{"code":420,"message":"…","cause":"…","error_id":"IncompleteUploadOpenApiException","x-id":"…"}` */
export interface JsonErrorBody {
  code?: number;
  message?: string;
  cause?: string;
  error_id?: string;
  'x-id'?: string;
}
