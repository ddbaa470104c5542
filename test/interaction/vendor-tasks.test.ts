/**
 * What the facade does today with a 2026-07-28 vendor that answers `tools/call` with a task (SEP-2663,
 * `resultType: "task"`): the v2 SDK 2.4.0 rejects the result type, so the call fails as a bad response (502
 * `vendor_bad_response`) instead of hanging or reporting success; the task id does not reach the caller. A vendor
 * that omits `resultType` on a complete result is read as complete (conformance issue #475).
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { jsonOf, startTestFacade, type TestFacade } from '../support/facade.js'

const TOOLS = [
  { name: 'as_task', inputSchema: { type: 'object', properties: {} } },
  { name: 'untyped', inputSchema: { type: 'object', properties: {} } },
]

describe('a 2026-07-28 vendor that answers with a task', () => {
  let vendor: Server
  let facade: TestFacade
  beforeAll(async () => {
    vendor = createServer((req, res) => {
      let raw = ''
      req.on('data', (c) => (raw += c))
      req.on('end', () => {
        const msg = JSON.parse(raw || '{}')
        const reply = (result: unknown) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ jsonrpc: '2.0', id: msg.id, result }))
        if (msg.id === undefined) return res.writeHead(202).end()
        if (msg.method === 'server/discover')
          return reply({ resultType: 'complete', ttlMs: 0, cacheScope: 'private', supportedVersions: ['2026-07-28'], capabilities: { tools: {} }, serverInfo: { name: 'tasks', version: '1' } })
        if (msg.method === 'tools/list') return reply({ resultType: 'complete', ttlMs: 0, cacheScope: 'private', tools: TOOLS })
        if (msg.params?.name === 'as_task')
          return reply({ resultType: 'task', taskId: 'task-1', status: 'working', createdAt: new Date().toISOString(), lastUpdatedAt: new Date().toISOString(), ttlMs: 60000 })
        return reply({ content: [{ type: 'text', text: 'done' }] })
      })
    })
    await new Promise<void>((r) => vendor.listen(0, '127.0.0.1', r))
    facade = await startTestFacade({ default: { url: `http://127.0.0.1:${(vendor.address() as AddressInfo).port}/mcp`, protocol: 'modern' } }, {}, 'warn')
    for (let i = 0; i < 100 && !(await facade.call('/tools')).ok; i++) await new Promise((r) => setTimeout(r, 50))
  })
  afterAll(async () => {
    await facade?.close()
    vendor?.close()
  })

  it('answers 502 vendor_bad_response (the SDK drops resultType "task"), never a success', async () => {
    const res = await facade.call('/tools/as_task', { method: 'POST', json: {} })
    expect(res.status).toBe(502)
    const problem = await jsonOf(res)
    expect(problem.code).toBe('vendor_bad_response')
    expect(problem.detail).toMatch(/task/i)
  })

  it('reads a result without resultType as complete', async () => {
    expect(await jsonOf(await facade.call('/tools/untyped', { method: 'POST', json: {} }))).toMatchObject({ status: 'complete', text: 'done' })
  })
})
