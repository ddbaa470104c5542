/**
 * Shared helpers of the credential tests: a call recorder that keeps every response body, a leak scan over logs and
 * bodies, a raw-socket HTTP request, and a temporary config file for `loadConfig`.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect } from 'vitest'
import type { TestFacade } from '../support/facade.js'

/** A response read once: status, headers and body text. */
export interface Seen {
  status: number
  headers: Headers
  text: string
  json: Record<string, any>
}

/** Wraps `facade.call` so every body is read once and kept for the leak scan. */
export function recorder(facade: TestFacade) {
  const bodies: string[] = []
  return {
    bodies,
    async call(path: string, init?: RequestInit & { json?: unknown }): Promise<Seen> {
      const res = await facade.call(path, init)
      const text = await res.text()
      bodies.push(`${res.status} ${[...res.headers].map(([k, v]) => `${k}: ${v}`).join('\n')}\n${text}`)
      let json: Record<string, any> = {}
      try {
        json = JSON.parse(text) as Record<string, any>
      } catch {
        // not JSON: keep {}
      }
      return { status: res.status, headers: res.headers, text, json }
    },
  }
}

/**
 * Fails when any secret (or its credential part after a scheme) appears in the texts.
 * @param where a label for the failure message
 */
export function expectNoSecrets(texts: string[], secrets: string[], where: string) {
  const haystack = texts.join('\n')
  for (const secret of secrets) {
    const parts = [secret, ...(/^\S+\s+(\S+)$/.exec(secret)?.slice(1) ?? [])]
    for (const p of parts) expect(haystack.includes(p), `${where} contains a secret (${p.slice(0, 4)}…)`).toBe(false)
  }
}

/** Sends raw bytes to 127.0.0.1:port and resolves with everything the server wrote before closing. */
export function rawHttp(port: number, raw: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(raw))
    let data = ''
    socket.setEncoding('latin1')
    socket.on('data', (chunk: string) => (data += chunk))
    socket.on('close', () => resolve(data))
    socket.on('error', reject)
    socket.setTimeout(5000, () => socket.destroy())
  })
}

/** Writes a JSON config file in a fresh temp dir; `cleanup()` removes it. */
export function tempConfig(config: unknown): { path: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'mrf-cred-'))
  const path = join(dir, 'config.json')
  writeFileSync(path, JSON.stringify(config))
  return { path, cleanup: () => rmSync(dir, { recursive: true, force: true }) }
}

/** Vendor session ids on which each Authorization value was seen (requests without a session id are skipped). */
export function sessionsByAuthorization(seen: Array<{ sessionId: string | null; authorization: string | null }>): Map<string | null, Set<string>> {
  const out = new Map<string | null, Set<string>>()
  for (const r of seen) {
    if (r.sessionId === null) continue
    if (!out.has(r.authorization)) out.set(r.authorization, new Set())
    out.get(r.authorization)!.add(r.sessionId)
  }
  return out
}
