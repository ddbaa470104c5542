/**
 * @module http/cached-document
 * Serves a document built once per catalog version: the JSON text and its gzip form are computed on the first
 * request after a catalog change and kept, so a repeated GET only copies bytes. The builder may be async, so a
 * document whose generator is loaded on first use (the Swagger 2.0 emitter) costs nothing at start-up. `ETag`
 * names the exact bytes (one tag per encoding, RFC 9110 §8.8.3), `If-None-Match` answers 304, and
 * `Vary: Accept-Encoding` keeps caches honest.
 */
import { createHash } from 'node:crypto'
import { gzipSync } from 'node:zlib'
import type { Context } from 'hono'
import type { Catalog } from '../catalog/types.js'

interface Built {
  version: number
  identity: Buffer
  gzip: Buffer
  etag: string
}

/** What a document handler answers for a catalog. */
export type DocumentServer = (c: Context, catalog: Catalog) => Promise<Response>

/** The final bytes of a document, for size checks and tests. */
export type DocumentBytes = (catalog: Catalog) => Promise<Buffer>

/**
 * A cached document.
 * @param build the document's text for a catalog (called once per catalog version)
 */
export function cachedDocument(build: (catalog: Catalog) => string | Promise<string>): { serve: DocumentServer; bytes: DocumentBytes } {
  let cached: { version: number; built: Promise<Built> } | undefined
  const get = (catalog: Catalog): Promise<Built> => {
    if (cached?.version !== catalog.version) {
      // The promise is kept, so concurrent first requests share one build; a failed build is not kept.
      const version = catalog.version
      const built = Promise.resolve(build(catalog)).then((text) => {
        const identity = Buffer.from(text)
        const etag = createHash('sha256').update(identity).digest('base64url').slice(0, 27)
        return { version, identity, gzip: gzipSync(identity, { level: 6 }), etag }
      })
      built.catch(() => {
        if (cached?.built === built) cached = undefined
      })
      cached = { version, built }
    }
    return cached.built
  }
  const serve: DocumentServer = async (c, catalog) => {
    const built = await get(catalog)
    const gzip = /\bgzip\b/i.test(c.req.header('accept-encoding') ?? '')
    const etag = `"${built.etag}${gzip ? '-gz' : ''}"`
    const headers: Record<string, string> = { ETag: etag, Vary: 'Accept-Encoding', 'Cache-Control': 'no-cache' }
    const match = c.req.header('if-none-match')
    // Either tag names the same document: a cache that stored the other encoding may revalidate with it.
    if (match && match.split(',').some((t) => [`"${built.etag}"`, `"${built.etag}-gz"`, '*'].includes(t.trim().replace(/^W\//, ''))))
      return c.body(null, 304, headers)
    if (gzip) return c.body(new Uint8Array(built.gzip), 200, { ...headers, 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' })
    return c.body(new Uint8Array(built.identity), 200, { ...headers, 'Content-Type': 'application/json' })
  }
  return { serve, bytes: async (catalog) => (await get(catalog)).identity }
}
