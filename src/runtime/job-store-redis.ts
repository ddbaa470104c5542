/**
 * @module runtime/job-store-redis
 * Job records in Redis, shared by every replica: one key per job (`mrf:job:<id>`) holding JSON, with a TTL
 * (`SET … EX`). Job ids are 144 random bits, so the key needs no hashing to be unguessable.
 */
import { Redis } from 'ioredis'
import type { JobRecord, JobStore } from './job-store.js'

/** A {@link JobStore} on Redis. */
export class RedisJobStore implements JobStore {
  readonly shared = true
  private constructor(private readonly redis: Redis) {}

  /**
   * Connects and checks the server answers.
   * @param keyPrefix prepended to every key (ioredis `keyPrefix`), e.g. to keep test runs apart
   */
  static async connect(url: string, keyPrefix = ''): Promise<RedisJobStore> {
    const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 2, enableOfflineQueue: false, keyPrefix })
    await redis.connect()
    await redis.ping()
    return new RedisJobStore(redis)
  }

  async get(id: string): Promise<JobRecord | undefined> {
    const raw = await this.redis.get(keyOf(id))
    return raw ? (JSON.parse(raw) as JobRecord) : undefined
  }

  async put(record: JobRecord, ttlSeconds: number): Promise<void> {
    await this.redis.set(keyOf(record.id), JSON.stringify(record), 'EX', ttlSeconds)
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect())
  }
}

function keyOf(id: string): string {
  return 'mrf:job:' + id
}
