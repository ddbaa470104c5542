/**
 * Optional MCP features passed through: completions (`/mcp` `completion/complete` and REST `POST /completions`)
 * and the 2025 `logging/setLevel` with the vendor's log messages relayed during calls, against a vendor that declares them, and their absence in front of one that
 * does not.
 */
import { Ajv2020 } from 'ajv/dist/2020.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startFeatureVendor, type FeatureVendor } from '../fixtures/feature-vendor.js'
import { startSessionfulVendor, type SessionfulVendor } from '../fixtures/sessionful-vendor.js'
import { jsonOf, startTestFacade, type TestFacade } from '../support/facade.js'
import { connectCaller } from './mcp-client.js'

describe('completions and logging through the facade', () => {
  let vendor: FeatureVendor
  let plainVendor: SessionfulVendor
  let facade: TestFacade
  let plain: TestFacade

  beforeAll(async () => {
    vendor = await startFeatureVendor()
    plainVendor = await startSessionfulVendor()
    facade = await startTestFacade({ default: { url: vendor.url } })
    plain = await startTestFacade({ default: { url: plainVendor.url } })
  })
  afterAll(async () => {
    await facade?.close()
    await plain?.close()
    await vendor?.close()
    await plainVendor?.close()
  })

  it('/mcp completes prompt arguments and resource-template variables in both eras', async () => {
    for (const era of ['legacy', 'modern'] as const) {
      const caller = await connectCaller(`${facade.url}/mcp`, era)
      try {
        expect(caller.client.getServerCapabilities()?.completions, era).toBeDefined()
        const prompt = await caller.client.complete({ ref: { type: 'ref/prompt', name: 'review' }, argument: { name: 'language', value: 'ty' } })
        expect(prompt.completion.values).toEqual(['typescript'])
        const resource = await caller.client.complete({ ref: { type: 'ref/resource', uri: 'weather://{city}' }, argument: { name: 'city', value: 'l' } })
        expect(resource.completion.values).toEqual(['Lisbon', 'London', 'Lyon'])
      } finally {
        await caller.close()
      }
    }
    expect(vendor.completions().length).toBeGreaterThanOrEqual(4)
  })

  it('/mcp forwards logging/setLevel and relays vendor log messages to the calling conversation (2025); neither 2026-07-28 side is offered it', async () => {
    const onLegacy = await startTestFacade({ default: { url: vendor.url, protocol: 'legacy' } })
    try {
      const legacy = await connectCaller(`${onLegacy.url}/mcp`, 'legacy')
      try {
        expect(legacy.client.getServerCapabilities()?.logging).toBeDefined()
        await legacy.client.setLoggingLevel('warning')
        expect(vendor.levels()).toContain('warning')
      } finally {
        await legacy.close()
      }
      const modern = await connectCaller(`${onLegacy.url}/mcp`, 'modern')
      try {
        expect(modern.client.getServerCapabilities()?.logging).toBeUndefined()
      } finally {
        await modern.close()
      }
    } finally {
      await onLegacy.close()
    }
    // Vendor log messages during a call reach that call's caller (2025), and no other conversation.
    const onLegacy2 = await startTestFacade({ default: { url: vendor.url, protocol: 'legacy' } })
    const [a, b] = [await connectCaller(`${onLegacy2.url}/mcp`, 'legacy'), await connectCaller(`${onLegacy2.url}/mcp`, 'legacy')]
    try {
      const seen: Record<'a' | 'b', unknown[]> = { a: [], b: [] }
      a.client.setNotificationHandler('notifications/message', (n) => void seen.a.push(n.params.data))
      b.client.setNotificationHandler('notifications/message', (n) => void seen.b.push(n.params.data))
      await b.client.listTools()
      expect((await a.client.callTool({ name: 'chatty', arguments: {} })).isError).toBeFalsy()
      expect(seen.a).toEqual(['chatty started', 'chatty almost done'])
      expect(seen.b).toEqual([])
    } finally {
      await a.close()
      await b.close()
      await onLegacy2.close()
    }
    // The default facade speaks 2026-07-28 to this vendor: no logging/setLevel to forward it to.
    const caller = await connectCaller(`${facade.url}/mcp`, 'legacy')
    try {
      expect(caller.client.getServerCapabilities()?.logging).toBeUndefined()
    } finally {
      await caller.close()
    }
  })

  it('REST POST /completions answers the values, checks the body, and is documented', async () => {
    const res = await facade.call('/completions', { method: 'POST', json: { ref: { type: 'ref/prompt', name: 'review' }, argument: { name: 'language', value: 'p' } } })
    expect(res.status).toBe(200)
    const body = await jsonOf(res)
    expect(body.completion.values).toEqual(['python'])
    const document = await jsonOf(await facade.call('/openapi.json'))
    const operation = document.paths['/completions'].post
    expect(operation.operationId).toBe('Complete')
    // The answer matches the declared 200 schema, and the request the declared body.
    const ajv = new Ajv2020({ strict: false })
    expect(ajv.validate(operation.responses['200'].content['application/json'].schema, body), JSON.stringify(ajv.errors)).toBe(true)
    expect(ajv.validate(operation.requestBody.content['application/json'].schema, { ref: { type: 'ref/resource', uri: 'weather://{city}' }, argument: { name: 'city', value: 'P' } })).toBe(true)
    const resource = await jsonOf(await facade.call('/completions', { method: 'POST', json: { ref: { type: 'ref/resource', uri: 'weather://{city}' }, argument: { name: 'city', value: 'P' } } }))
    expect(resource.completion.values).toEqual(['Paris', 'Porto'])
    const bad = await facade.call('/completions', { method: 'POST', json: { ref: { type: 'ref/nothing' }, argument: { name: 'language' } } })
    expect(bad.status).toBe(400)
    const problem = await jsonOf(bad)
    expect(problem.code).toBe('invalid_arguments')
    expect(problem.errors.map((e: { pointer: string }) => e.pointer)).toEqual(expect.arrayContaining(['/ref/type', '/argument/value']))
  })

  it('a vendor without completions or logging: /mcp does not offer them and REST /completions is 404', async () => {
    const caller = await connectCaller(`${plain.url}/mcp`, 'legacy')
    try {
      const caps = caller.client.getServerCapabilities()
      expect(caps?.completions).toBeUndefined()
      expect(caps?.logging).toBeUndefined()
    } finally {
      await caller.close()
    }
    const res = await plain.call('/completions', { method: 'POST', json: { ref: { type: 'ref/prompt', name: 'x' }, argument: { name: 'a', value: '' } } })
    expect(res.status).toBe(404)
    expect((await jsonOf(res)).code).toBe('not_found')
    const paths = (await jsonOf(await plain.call('/openapi.json'))).paths
    expect(paths['/completions']).toBeUndefined()
    expect(paths['/connector/completions']).toBeUndefined()
    expect((await plain.call('/connector/completions?prompt=x&argument=a')).status).toBe(404)
  })
})
