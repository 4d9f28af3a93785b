/** The Redis connections of the queue executor and `flowtrail worker`. */
import { Redis } from 'ioredis';

/**
 * A Redis connection as BullMQ wants it: commands wait through a reconnect instead of failing
 * (`maxRetriesPerRequest: null`), and reconnects go on forever with a capped back-off.
 */
export function redisConnection(url: string): Redis {
  const redis = new Redis(url, {
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    retryStrategy: (times) => Math.min(200 + times * 100, 2_000),
  });
  // Connection errors are retried; the watchdog and the reconcile loop act on outages.
  redis.on('error', () => {});
  return redis;
}
