/**
 * @module http/base-url
 * Absolute URLs for Location headers. Power Platform requires an absolute Location for the 202 pattern.
 */
import type { Context } from 'hono'

/**
 * The public base URL of a server's routes: `publicUrl` from config when set (behind a gateway the request
 * URL is internal), else the request's own origin. Never includes a trailing slash.
 */
export function baseUrl(c: Context, publicUrl: string | undefined, mountPath: string): string {
  const root = publicUrl ? publicUrl.replace(/\/+$/, '') : new URL(c.req.url).origin
  return root + mountPath
}
