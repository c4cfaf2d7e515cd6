import { threadPoolSize } from './thread-pool.js';

// Imported first by main.ts: libuv reads UV_THREADPOOL_SIZE once, when the pool is first used, so
// it is set before any module could queue work on it.
process.env.UV_THREADPOOL_SIZE = String(threadPoolSize(process.env));
