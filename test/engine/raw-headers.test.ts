/**
 * RawHeaders (upstream/lite-response), the read side of `Headers` the facade's fetch gives the SDK over Node's raw
 * header pairs, answers every read as the platform's own `Headers` does for the same pairs.
 */
import { describe, expect, it } from 'vitest'
import { RawHeaders } from '../../src/upstream/lite-response.js'

const cases: Record<string, string[]> = {
  'a plain JSON answer': ['Content-Type', 'application/json', 'Content-Length', '42', 'Date', 'Thu, 03 Dec 2026 02:00:00 GMT'],
  'a session answer, names in odd case': ['mcp-SESSION-id', 'abc-123', 'MCP-Protocol-Version', '2025-11-25', 'content-type', 'text/event-stream'],
  'repeated names and cookies': ['Vary', 'Accept', 'vary', 'Origin', 'Set-Cookie', 'a=1; Path=/', 'set-cookie', 'b=2', 'WWW-Authenticate', 'Bearer realm="x"'],
  'no headers': [],
}

describe('RawHeaders', () => {
  for (const [label, raw] of Object.entries(cases)) {
    it(`reads ${label} as Headers does`, () => {
      const ours = new RawHeaders(raw)
      const web = new Headers()
      for (let i = 0; i < raw.length; i += 2) web.append(raw[i]!, raw[i + 1]!)
      for (const name of ['content-type', 'CONTENT-TYPE', 'mcp-session-id', 'Vary', 'set-cookie', 'www-authenticate', 'absent']) {
        expect(ours.get(name)).toBe(web.get(name))
        expect(ours.has(name)).toBe(web.has(name))
      }
      expect(ours.getSetCookie()).toEqual(web.getSetCookie())
      // Iteration order: sorted names. (Headers lists set-cookie once per value; nothing here iterates cookies.)
      const withoutCookies = (pairs: Iterable<[string, string]>) => [...pairs].filter(([n]) => n !== 'set-cookie')
      expect(withoutCookies(ours)).toEqual(withoutCookies(web))
      const seen: string[] = []
      ours.forEach((value, name) => seen.push(`${name}=${value}`))
      expect(seen).toEqual([...ours.entries()].map(([n, v]) => `${n}=${v}`))
    })
  }
})
