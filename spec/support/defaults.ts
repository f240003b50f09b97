/**
 * The registry's defaults (lib/config/options.ts), resolved exactly as `serve` resolves a config
 * file that sets nothing, and mapped to the layers' settings by the same functions lib/app.ts
 * uses. Specs that build a layer by hand spread these, so they run on the defaults users get;
 * the library itself declares none.
 */
import { davSettingsOf, vfsSettingsOf } from '../../lib/app.js';
import { validateConfig, type JottadavConfig } from '../../lib/config/index.js';
import { ACCOUNT_DEFAULTS } from '../../lib/config/structured.js';

/** Every option at its registry default (the config has no users or accounts). */
export const REGISTRY_DEFAULTS: JottadavConfig = validateConfig({}, { checkFiles: false }).config;

/** The protocol layer's settings, on loopback port 0. */
export const DAV_DEFAULTS = { ...davSettingsOf(REGISTRY_DEFAULTS), host: '127.0.0.1', port: 0 };

/** The file system's settings (spooling in the OS temp dir). */
export const VFS_DEFAULTS = vfsSettingsOf(REGISTRY_DEFAULTS);

/** An account's device and mount point at their defaults, for a backend built by hand. */
export const ACCOUNT_MOUNT = { device: ACCOUNT_DEFAULTS.device, mountPoint: ACCOUNT_DEFAULTS.mountPoint };

/** The junk-file policy alone, to override one of its parts. */
export const LOCAL_ONLY_DEFAULTS = { patterns: REGISTRY_DEFAULTS.localOnly.patterns, ttlMs: REGISTRY_DEFAULTS.localOnly.ttl };
