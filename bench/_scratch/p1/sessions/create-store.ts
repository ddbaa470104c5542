/**
 * @module sessions/create-store
 * Picks the session store from config. Redis is loaded lazily so single-replica installs never need it.
 */
import type { Config } from '../config/schema.js'
import { MemorySessionStore } from './memory-store.js'
import type { SessionStore } from './types.js'

/** Creates the configured session store. */
export async function createSessionStore(settings: Config['sessions']): Promise<SessionStore> {
  if (settings.store === 'redis') {
    if (!settings.redisUrl) throw new Error('sessions.store is "redis" but no redisUrl (or REDIS_URL) is set')
    const { RedisSessionStore } = await import('./redis-store.js')
    return RedisSessionStore.connect(settings.redisUrl)
  }
  return new MemorySessionStore()
}
