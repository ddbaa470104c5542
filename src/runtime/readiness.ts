/**
 * @module runtime/readiness
 * Is the vendor reachable? Answered from the vendor's last good exchange (any 2xx on any connection of the
 * server), and only when that is stale from a probe in the connection's own era: `ping` on 2025 connections,
 * `server/discover` on 2026-07-28 ones, which have no `ping`. Probes are single-flight and at most one per
 * interval, so an orchestrator probing every second costs the vendor one request every few seconds at most.
 */

/** Readiness of one vendor. */
export class ReadinessProbe {
  #lastProbeAt = 0
  #lastVerdict = false
  #probing?: Promise<boolean>

  /**
   * @param lastGoodAt when the vendor last answered well (epoch ms)
   * @param probe      sends one probe request; rejects when the vendor does not answer
   * @param intervalMs how long a good answer (or a probe verdict) is trusted
   */
  constructor(
    private readonly lastGoodAt: () => number,
    private readonly probe: () => Promise<void>,
    private readonly intervalMs: number,
  ) {}

  /** True when the vendor answered within the interval, or a probe now (or recently) succeeded. */
  async ready(): Promise<boolean> {
    const now = Date.now()
    if (now - this.lastGoodAt() < this.intervalMs) return true
    if (now - this.#lastProbeAt < this.intervalMs) return this.#lastVerdict
    this.#probing ??= this.#runProbe().finally(() => {
      this.#probing = undefined
    })
    return this.#probing
  }

  async #runProbe(): Promise<boolean> {
    this.#lastProbeAt = Date.now()
    try {
      await this.probe()
      this.#lastVerdict = true
    } catch {
      this.#lastVerdict = false
    }
    this.#lastProbeAt = Date.now()
    return this.#lastVerdict
  }
}
