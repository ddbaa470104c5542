/**
 * @module sessions/redis-channels
 * The one pub/sub subscriber connection of a facade: the job store's change events and the session store's
 * cache invalidations share it (a subscribed Redis connection can do nothing else, so one is enough per replica).
 *
 * It knows whether messages are flowing right now ({@link RedisChannels.live}): a cache that relies on
 * invalidations must not trust itself while the subscriber is down, and must forget what it holds when the
 * subscription starts again, since messages published during the gap are lost (see {@link RedisChannels.onReset}).
 */
import type { Redis } from 'ioredis'

/** Channel subscriptions over one subscriber connection, opened on the first {@link RedisChannels.listen}. */
export class RedisChannels {
  readonly #listeners = new Map<string, Set<(message: string) => void>>()
  readonly #resets = new Set<() => void>()
  #subscriber?: Redis
  #live = false
  #closed = false

  /** @param redis the command connection; the subscriber is its duplicate (same URL and options, no key prefix) */
  constructor(private readonly redis: Redis) {}

  /** True while the subscriber is connected and subscribed to every channel: no message can be missed now. */
  get live(): boolean {
    return this.#live
  }

  /** The command connection's key prefix (channels do not get ioredis' keyPrefix, so channel names add it). */
  get prefix(): string {
    return this.redis.options.keyPrefix ?? ''
  }

  /** Calls `listener` with every message on `channel` (prefix it with {@link prefix} yourself). */
  listen(channel: string, listener: (message: string) => void): void {
    let set = this.#listeners.get(channel)
    if (!set) this.#listeners.set(channel, (set = new Set()))
    set.add(listener)
    const sub = this.#subscriber ?? this.#open()
    if (sub.status === 'ready') void this.#subscribeAll(sub)
  }

  /** Calls `reset` whenever messages may have been missed: the subscriber went down, or came back. */
  onReset(reset: () => void): void {
    this.#resets.add(reset)
  }

  /** Publishes on the command connection; a failure is swallowed (the reader's bounded cache age covers it). */
  async publish(channel: string, message: string): Promise<void> {
    await this.redis.publish(channel, message).catch(() => undefined)
  }

  #open(): Redis {
    // It queues while (re)connecting (a subscribe must not fail because the connection is being set up).
    // Named after the key prefix, so an operator (or a test) can tell a deployment's subscriber in CLIENT LIST.
    const connectionName = `mrf-events:${this.prefix}`.replace(/[^\w:.-]/g, '_')
    const sub = this.redis.duplicate({ enableOfflineQueue: true, keyPrefix: '', connectionName })
    sub.on('error', () => undefined)
    sub.on('message', (channel: string, message: string) => {
      for (const l of this.#listeners.get(channel) ?? []) l(message)
    })
    // Every (re)connection subscribes again and only then counts as live; a lost connection is not live.
    sub.on('ready', () => void this.#subscribeAll(sub))
    sub.on('close', () => this.#setLive(false))
    this.#subscriber = sub
    void sub.connect().catch(() => undefined)
    return sub
  }

  async #subscribeAll(sub: Redis): Promise<void> {
    try {
      await sub.subscribe(...this.#listeners.keys())
      if (!this.#closed && sub.status === 'ready') this.#setLive(true)
    } catch {
      this.#setLive(false)
    }
  }

  #setLive(live: boolean) {
    const changed = this.#live !== live
    this.#live = live
    if (changed) for (const r of this.#resets) r()
  }

  /** Drops the subscriber connection (the command connection belongs to the caller). */
  close(): void {
    this.#closed = true
    this.#live = false
    this.#listeners.clear()
    this.#resets.clear()
    this.#subscriber?.disconnect()
  }
}
