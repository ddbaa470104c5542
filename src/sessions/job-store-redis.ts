/**
 * @module sessions/job-store-redis
 * Job records in Redis, shared by every replica: one key per job (`mrf:job:<id>`) holding JSON, with a TTL
 * (`SET … EX`). Job ids are 144 random bits, so the key needs no hashing to be unguessable. Changes of interactive
 * jobs are announced on one pub/sub channel (`<prefix>mrf:job-events`, the job id as message) through the
 * facade's one subscriber connection (see redis-channels), opened on the first subscribe.
 */
import type { Redis } from 'ioredis'
import { RedisChannels } from './redis-channels.js'
import { RedisTtlTable, connectRedis } from './redis-table.js'
import type { JobRecord, JobStore } from './job-store.js'

/** A {@link JobStore} on Redis. */
export class RedisJobStore implements JobStore {
  readonly shared = true
  readonly #table: RedisTtlTable<JobRecord>
  readonly #claims: RedisTtlTable<unknown>
  readonly #channels: RedisChannels
  readonly #ownsChannels: boolean
  readonly #channel: string

  /**
   * @param redis          the connection (the session store's, when both live in one facade)
   * @param ownsConnection close() quits the connection
   * @param channels       the facade's subscriber (shared with the session store); one of its own when absent
   */
  constructor(redis: Redis, ownsConnection: boolean, channels?: RedisChannels) {
    this.#table = new RedisTtlTable<JobRecord>(redis, ownsConnection)
    this.#claims = new RedisTtlTable<unknown>(redis, false)
    this.#channels = channels ?? new RedisChannels(redis)
    this.#ownsChannels = !channels
    // Channels do not get ioredis' keyPrefix: add it, so deployments sharing a Redis stay apart.
    this.#channel = `${this.#channels.prefix}mrf:job-events`
  }

  /**
   * Connects (a connection of its own) and checks the server answers.
   * @param keyPrefix prepended to every key (ioredis `keyPrefix`), e.g. to keep test runs apart
   */
  static async connect(url: string, keyPrefix = ''): Promise<RedisJobStore> {
    return new RedisJobStore(await connectRedis(url, keyPrefix), true)
  }

  get(id: string): Promise<JobRecord | undefined> {
    return this.#table.get(keyOf(id))
  }

  put(record: JobRecord, ttlSeconds: number): Promise<void> {
    return this.#table.set(keyOf(record.id), record, ttlSeconds)
  }

  claim(jobId: string, name: string, value: unknown, ttlSeconds: number): Promise<boolean> {
    return this.#claims.setIfAbsent(`${keyOf(jobId)}:${name}`, value, ttlSeconds)
  }

  peek(jobId: string, name: string): Promise<unknown> {
    return this.#claims.get(`${keyOf(jobId)}:${name}`)
  }

  publish(jobId: string): Promise<void> {
    return this.#channels.publish(this.#channel, jobId)
  }

  subscribe(listener: (jobId: string) => void): void {
    this.#channels.listen(this.#channel, listener)
  }

  close(): Promise<void> {
    if (this.#ownsChannels) this.#channels.close()
    return this.#table.close()
  }
}

function keyOf(id: string): string {
  return 'mrf:job:' + id
}
