/**
 * The structured parts of the config — users and accounts — with their field tables, used for
 * unknown-key checks, defaults and the README.
 */

export interface FieldSpec {
  name: string;
  required: boolean;
  default?: unknown;
  doc: string;
}

/** The defaults of the optional user and account fields, read by the tables below, validation and the example. */
export const USER_DEFAULTS = { root: '/', readOnly: false } as const;
export const ACCOUNT_DEFAULTS = { service: 'jottacloud', device: 'Jotta', mountPoint: 'Archive', allDevices: false } as const;

export const USER_FIELDS: readonly FieldSpec[] = [
  { name: 'name', required: true, doc: 'Login name (no colon: Basic auth splits on the first one).' },
  { name: 'passwordHash', required: true, doc: 'Output of `npx jottadav hash-password` (scrypt); never the password.' },
  { name: 'account', required: false, default: '(the only account)', doc: 'Key into `accounts`; may be omitted when there is exactly one account.' },
  { name: 'root', required: false, default: USER_DEFAULTS.root, doc: 'Folder inside the account this user sees as `/`; nothing outside it is reachable.' },
  { name: 'readOnly', required: false, default: USER_DEFAULTS.readOnly, doc: 'Every write (PUT, DELETE, MKCOL, MOVE, COPY, PROPPATCH, LOCK) answers 403.' },
];

export const ACCOUNT_FIELDS: readonly FieldSpec[] = [
  { name: 'tokenFile', required: true, doc: 'Token file written by `npx jottadav login` (mode 0600; rewritten on every refresh, except with a Redis store: see "One session in Redis mode").' },
  { name: 'service', required: false, default: ACCOUNT_DEFAULTS.service, doc: '`jottacloud` or a white-label key (see `npx jottadav login`). A record of where the token came from: serving does not read it, the token file holds the service\'s token endpoint.' },
  { name: 'device', required: false, default: ACCOUNT_DEFAULTS.device, doc: 'Device whose mount point is served.' },
  { name: 'mountPoint', required: false, default: ACCOUNT_DEFAULTS.mountPoint, doc: 'Mount point served as `/`.' },
  { name: 'allDevices', required: false, default: ACCOUNT_DEFAULTS.allDevices, doc: 'Show every device and mount point as top-level folders instead.' },
  { name: 'endpoints', required: false, default: {}, doc: 'Base URL overrides `jfs`, `api`, `www` (for the emulator or a proxy). `wellKnown` (the identity server) is recorded by `npx jottadav login` and not read when serving: the token file holds the token endpoint.' },
];

export const ENDPOINT_FIELDS = ['jfs', 'api', 'www', 'wellKnown'] as const;

/** Mount points that are special views on Jottacloud (rclone advises against serving them). */
export const SPECIAL_MOUNT_POINTS = ['Latest', 'Links', 'Shared', 'Trash'];

/**
 * The hash lib/dav's hashPassword() writes: `scrypt$<N>$<r>$<p>$<salt base64>$<hash base64>`.
 * Checked here by shape only, since config may not import lib/dav; lib/dav's verifyPassword()
 * has the final word.
 */
export const PASSWORD_HASH_PATTERN = /^scrypt\$\d+\$\d+\$\d+\$[A-Za-z0-9+/]+={0,2}\$[A-Za-z0-9+/]{8,}={0,2}$/;

export const ACCOUNT_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
