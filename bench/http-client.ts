/**
 * @module bench/http-client
 * The plain-HTTP caller used for the facade and the naive proxy: `POST <url>` with a JSON body over kept-alive
 * loopback connections. Two interchangeable implementations, so the faster one can be picked and both REST
 * targets are always called the same way.
 */
import { Agent, request } from 'node:http'

/** Which HTTP client implementation to use. */
export type HttpClientKind = 'node-http' | 'fetch'

/** A JSON POST caller. */
export interface JsonPoster {
  readonly kind: HttpClientKind
  /**
   * POSTs `body` as JSON and resolves with the status and the parsed JSON answer.
   * @param timeoutMs the whole exchange is aborted after this long (no call may hang the bench)
   */
  post(url: string, body: unknown, timeoutMs: number): Promise<{ status: number; json: unknown }>
  /** Drops pooled connections. */
  close(): void
}

/**
 * `node:http` with a keep-alive Agent sized for the highest concurrency used, so no call waits for a socket. It
 * runs on the thread it measures, so it is kept lean: the URL is parsed once per target, and the time bound is a
 * plain timer (an `AbortSignal.timeout` passed to `request` costs a signal, a timer and an abort listener per
 * call, about 30 µs on the profiled machine, all of it charged to the facade and the floor).
 */
function nodeHttpPoster(maxSockets: number): JsonPoster {
  const agent = new Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets })
  const targets = new Map<string, { hostname: string; port: string; path: string }>()
  const targetOf = (url: string) => {
    let t = targets.get(url)
    if (!t) {
      const u = new URL(url)
      targets.set(url, (t = { hostname: u.hostname, port: u.port, path: u.pathname + u.search }))
    }
    return t
  }
  return {
    kind: 'node-http',
    post(url, body, timeoutMs) {
      const payload = Buffer.from(JSON.stringify(body))
      return new Promise((resolve, reject) => {
        const fail = (error: Error) => {
          clearTimeout(timer)
          reject(error)
        }
        const req = request(
          {
            ...targetOf(url),
            method: 'POST',
            agent,
            headers: { 'content-type': 'application/json', 'content-length': payload.byteLength, accept: 'application/json' },
          },
          (res) => {
            const chunks: Buffer[] = []
            res.on('data', (chunk: Buffer) => chunks.push(chunk))
            res.on('error', fail)
            res.on('end', () => {
              clearTimeout(timer)
              const text = Buffer.concat(chunks).toString('utf8')
              try {
                resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) as unknown })
              } catch {
                reject(new Error(`non-JSON answer (${res.statusCode}): ${text.slice(0, 200)}`))
              }
            })
          },
        )
        const timer = setTimeout(() => req.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs)
        req.on('error', fail)
        req.end(payload)
      })
    },
    close: () => agent.destroy(),
  }
}

/** Node's global fetch (undici), which keeps connections alive by default. */
function fetchPoster(): JsonPoster {
  return {
    kind: 'fetch',
    async post(url, body, timeoutMs) {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      })
      const text = await res.text()
      try {
        return { status: res.status, json: JSON.parse(text) as unknown }
      } catch {
        throw new Error(`non-JSON answer (${res.status}): ${text.slice(0, 200)}`)
      }
    },
    // The global dispatcher is shared with the SDK; its idle sockets close on their own at process exit.
    close: () => undefined,
  }
}

/**
 * Creates a JSON poster.
 * @param maxSockets keep-alive pool size for `node-http` (fetch's global pool is unbounded per origin)
 */
export function createPoster(kind: HttpClientKind, maxSockets: number): JsonPoster {
  return kind === 'fetch' ? fetchPoster() : nodeHttpPoster(maxSockets)
}
