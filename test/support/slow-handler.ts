/**
 * @module test/support/slow-handler
 * Pieces of the pool tests (HTTP/1.1 and HTTP/2): a request handler that answers `{}` after a fixed delay and counts
 * the most requests it held at once (the slow vendor), and a request aborted once the vendor has it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2'
import { expect } from 'vitest'

type Request = IncomingMessage | Http2ServerRequest
type Response = ServerResponse | Http2ServerResponse

/** Answers every request after `ms`; `most()` is the peak of requests in flight. */
export function slowHandler(ms: number): { handler: (req: Request, res: Response) => void; most: () => number } {
  let active = 0
  let most = 0
  const handler = (req: Request, res: Response) => {
    most = Math.max(most, ++active)
    req.resume()
    setTimeout(() => {
      active--
      ;(res as ServerResponse).writeHead(200, { 'content-type': 'application/json' }).end('{}')
    }, ms)
  }
  return { handler, most: () => most }
}

/** Sends a POST through `fetcher`, aborts it once `seen()` says the vendor has it, and checks it rejects as aborted. */
export async function abortOnceSeen(fetcher: { fetch: typeof fetch }, url: string, seen: () => unknown): Promise<void> {
  const controller = new AbortController()
  const pending = fetcher.fetch(url, { method: 'POST', body: '{}', signal: controller.signal })
  await expect.poll(seen).toBeDefined()
  controller.abort()
  await expect(pending).rejects.toMatchObject({ name: 'AbortError' })
}
