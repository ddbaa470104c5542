/**
 * @module demo/early-listener
 * The demo vendor's listening socket, opened by its process entry (demo/main) before the vendor's code loads.
 *
 * Why: the facade that started the demo waits for its URL before it can build anything that talks to it. Opened
 * first, the socket lets the facade connect and send `initialize` while the vendor's code is still loading (some
 * 50 ms of the demo's start); the request waits in the kernel and in {@link EarlyListener}'s queue, not in the
 * facade. Requests that arrive before the vendor attaches are handed to it, in order, once it does.
 *
 * This module is part of the small entry, so it imports node:http alone.
 */
import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/** The MCP endpoint path. */
export const DEMO_VENDOR_PATH = '/mcp'

/** A bind address as a URL host; wildcard binds are reached through loopback. */
function urlHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1'
  if (host === '::') return '[::1]'
  return host.includes(':') ? `[${host}]` : host
}

/** The MCP endpoint URL of a listening server bound to `host`. */
export function demoVendorUrl(server: Server, host: string): string {
  return `http://${urlHost(host)}:${(server.address() as AddressInfo).port}${DEMO_VENDOR_PATH}`
}

/** A socket that listens before anything answers on it. */
export interface EarlyListener {
  server: Server
  url: string
  /** Answers every request from now on with `listener`, the queued ones first. */
  attach(listener: RequestListener): void
}

/** Listens on `port`/`host` at once; requests queue until {@link EarlyListener.attach}. */
export async function listenEarly(port: number, host: string): Promise<EarlyListener> {
  const queued: Array<[IncomingMessage, ServerResponse]> = []
  const queue = (req: IncomingMessage, res: ServerResponse) => void queued.push([req, res])
  const server = createServer(queue)
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  return {
    server,
    url: demoVendorUrl(server, host),
    attach(listener) {
      server.off('request', queue)
      server.on('request', listener)
      for (const [req, res] of queued.splice(0)) listener(req, res)
    },
  }
}
