/**
 * The cache's public surface: the response cache, its Cache-Status header and the cache key.
 */
export { createResponseCache, type CacheResult, type ResponseCache, type ResponseCacheOptions } from './response-cache.js';
export { formatCacheStatus, type CacheStatus, type ForwardReason } from './cache-status.js';
export { cacheKey } from './cache-key.js';
