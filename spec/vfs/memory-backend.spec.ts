import { MemoryBackend } from '../support/memory-backend.js';
import { storageBackendContract } from '../contracts/storage-backend.contract.js';

// The fake the vfs specs run on must keep the StorageBackend contract the real backend keeps.
storageBackendContract('MemoryBackend (in-memory fake)', async () => ({ backend: new MemoryBackend() }));
