/**
 * What a newcomer hits in the first minutes: `GET /` says where things are (a browser lands on the docs page),
 * `/docs/` finds the page, `GET /tools/{tool}` says to POST (405 with Allow), every problem of a call carries the
 * request id, metrics scrapes stay out of the info log, and the demo vendor answers --help.
 */
import { execFile } from 'node:child_process'
import { createRequire } from 'node:module'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { jsonOf } from '../support/facade.js'
import { singleAndSeveral } from '../support/single-and-several.js'

describe('first hour', () => {
  const f = singleAndSeveral()

  it('GET / sends a browser to the docs page and tells a client where the documents are', async () => {
    const browser = await f.single.call('/', { headers: { Accept: 'text/html,application/xhtml+xml' }, redirect: 'manual' })
    expect(browser.status).toBe(302)
    expect(new URL(browser.headers.get('location')!, f.single.url + '/').pathname).toBe('/docs')
    expect(await jsonOf(await f.single.call('/'))).toEqual({ servers: [{ name: 'default', base: '', docs: '/docs', openapi: '/openapi.json', swagger: '/swagger.json' }] })
    const index = await jsonOf(await f.several.call('/', { headers: { Accept: 'text/html' } }))
    expect(index.servers.map((s: { docs: string }) => s.docs)).toEqual(['/crm/docs', '/billing/docs'])
  })

  it('/docs/ redirects to /docs, under a mount path too', async () => {
    for (const [facade, path] of [[f.single, '/docs/'], [f.several, '/crm/docs/']] as const) {
      const res = await facade.call(path, { redirect: 'manual' })
      expect(res.status).toBe(301)
      const target = new URL(res.headers.get('location')!, facade.url + path)
      expect(target.pathname).toBe(path.slice(0, -1))
      expect((await fetch(target)).status).toBe(200)
    }
  })

  it('GET /tools/{tool} is 405 with Allow: POST, as problem+json with the request id', async () => {
    for (const [method, path] of [['GET', '/tools/echo'], ['DELETE', '/invoke/echo'], ['PUT', '/tools/no_such_tool']]) {
      const res = await f.single.call(path!, { method })
      expect(res.status, `${method} ${path}`).toBe(405)
      expect(res.headers.get('allow')).toBe('POST')
      expect(res.headers.get('content-type')).toBe('application/problem+json')
      const problem = await jsonOf(res)
      expect(problem).toMatchObject({ code: 'method_not_allowed', requestId: res.headers.get('x-request-id') })
      expect(problem.detail).toMatch(/POST/)
    }
    // The list itself is still a GET.
    expect((await f.single.call('/tools')).status).toBe(200)
  })

  it('problems of a call (session_not_found included) carry the request id', async () => {
    const unknown = await f.single.call('/tools/echo', { method: 'POST', json: { message: 'x' }, headers: { 'X-Session-Id': 'ses_unknown' } })
    expect(unknown.status).toBe(404)
    expect(await jsonOf(unknown)).toMatchObject({ code: 'session_not_found', requestId: unknown.headers.get('x-request-id') })
    const viaQuery = await f.single.call('/tools/echo?sessionId=ses_unknown', { method: 'POST', json: { message: 'x' }, headers: { 'X-Request-Id': 'my-trace-1' } })
    expect(await jsonOf(viaQuery)).toMatchObject({ code: 'session_not_found', requestId: 'my-trace-1' })
    const invalid = await f.single.call('/tools/echo', { method: 'POST', json: { message: 1 } })
    expect(await jsonOf(invalid)).toMatchObject({ code: 'invalid_arguments', requestId: invalid.headers.get('x-request-id') })
  })

  it('logs a /metrics scrape at debug, a call at info', async () => {
    const scrape = await f.single.call('/metrics', { headers: { 'X-Request-Id': 'scrape-1' } })
    expect(scrape.status).toBe(200)
    await f.single.call('/tools', { headers: { 'X-Request-Id': 'list-1' } })
    const levelOf = (id: string) => f.single.logs.map((l) => JSON.parse(l) as { level: string; msg: string; requestId?: string }).find((l) => l.msg === 'request' && l.requestId === id)?.level
    await expect.poll(() => levelOf('list-1')).toBe('info')
    expect(levelOf('scrape-1')).toBe('debug')
  })

  it('the demo vendor answers --help without starting', async () => {
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href
    const main = fileURLToPath(new URL('../../src/demo/main.ts', import.meta.url))
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', tsx, main, '--help'], { timeout: 20_000 })
    expect(stdout).toMatch(/^demo MCP vendor/)
    expect(stdout).toMatch(/--port N/)
    expect(stdout).not.toMatch(/listening on http/)
  })
})
