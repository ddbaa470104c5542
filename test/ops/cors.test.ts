/**
 * CORS: off by default (no CORS headers, a preflight finds nothing), and with `cors.origins` a browser preflight
 * is answered for listed origins only, with the headers a script needs to read exposed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config/load.js'
import { startSessionfulVendor, type SessionfulVendor } from '../fixtures/index.js'
import { startTestFacade } from '../support/facade.js'

const preflight = (origin: string) => ({
  method: 'OPTIONS',
  headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, x-api-key' },
})

describe('CORS', () => {
  let vendor: SessionfulVendor
  beforeAll(async () => {
    vendor = await startSessionfulVendor()
  })
  afterAll(async () => {
    await vendor.close()
  })

  it('is off by default', async () => {
    const facade = await startTestFacade({ default: { url: vendor.url } })
    try {
      const res = await facade.call('/tools', { headers: { origin: 'https://app.example.com' } })
      expect(res.status).toBe(200)
      expect(res.headers.get('access-control-allow-origin')).toBeNull()
      const pre = await facade.call('/tools/echo', preflight('https://app.example.com'))
      expect(pre.headers.get('access-control-allow-origin')).toBeNull()
      expect(pre.status).toBe(404)
    } finally {
      await facade.close()
    }
  })

  it('answers preflights and marks answers for listed origins only', async () => {
    const facade = await startTestFacade({ default: { url: vendor.url } }, { cors: { origins: ['https://app.example.com'] } })
    try {
      const pre = await facade.call('/tools/echo', preflight('https://app.example.com'))
      expect(pre.status).toBe(204)
      expect(pre.headers.get('access-control-allow-origin')).toBe('https://app.example.com')
      expect(pre.headers.get('access-control-allow-methods')).toContain('POST')
      expect(pre.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('x-api-key')
      expect(pre.headers.get('access-control-max-age')).toBe('600')

      const call = await facade.call('/tools/echo', { method: 'POST', json: { message: 'hi' }, headers: { origin: 'https://app.example.com' } })
      expect(call.status).toBe(200)
      expect(call.headers.get('access-control-allow-origin')).toBe('https://app.example.com')
      expect(call.headers.get('access-control-expose-headers')).toContain('X-Request-Id')

      const other = await facade.call('/tools/echo', preflight('https://evil.example.net'))
      expect(other.headers.get('access-control-allow-origin')).toBeNull()
      const otherCall = await facade.call('/tools', { headers: { origin: 'https://evil.example.net' } })
      expect(otherCall.headers.get('access-control-allow-origin')).toBeNull()
    } finally {
      await facade.close()
    }
  })

  it('"*" allows any origin; CORS_ORIGINS sets the list from the environment', async () => {
    const facade = await startTestFacade({ default: { url: vendor.url } }, { cors: { origins: ['*'] } })
    try {
      const pre = await facade.call('/tools', preflight('https://anywhere.example.org'))
      expect(pre.status).toBe(204)
      expect(pre.headers.get('access-control-allow-origin')).toBe('*')
    } finally {
      await facade.close()
    }
    expect(loadConfig({ upstream: vendor.url }, { CORS_ORIGINS: 'https://a.example.com, https://b.example.com' }).cors?.origins).toEqual(['https://a.example.com', 'https://b.example.com'])
    expect(loadConfig({ upstream: vendor.url }, {}).cors).toBeUndefined()
  })
})
