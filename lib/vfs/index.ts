export type * from './types.js';
export { JottaVfs, type JottaVfsOptions } from './jotta-vfs.js';
export { ListingMemory } from './memory-dir-cache.js';
export { DEFAULT_LOCAL_ONLY_PATTERNS, type LocalOnlyOptions } from './local-only.js';
export { bytesToClientName, clientNameToBytes, hasInvalidUtf8 } from './names.js';
export { NameCodec } from './name-codec.js';
export { RootedVfs } from './rooted-vfs.js';
export { MountsVfs, type MountSource, type MountsVfsOptions } from './mounts-vfs.js';
export { decodeHrefSegment, encodeHrefSegment } from './names.js';
