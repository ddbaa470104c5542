/**
 * SEP-2243 on the server side of `/mcp`: with the vendor's schemas listed as they are (`copilotSafeSchemas:
 * false`), a 2026-07-28 `tools/call` must carry `Mcp-Param-*` headers that agree with its body: raw requests
 * with missing, mismatched and badly encoded headers get HTTP 400 + JSON-RPC -32020 before the vendor is called;
 * agreeing ones (plain, Base64, literal look-alikes) go through. An SDK client that mirrors the headers itself
 * calls normally.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { decodeParamHeader } from '../../src/mcp-endpoint/param-header-check.js'
import { startParamHeaderVendor, type ParamHeaderVendor } from '../fixtures/param-header-vendor.js'
import { startTestFacade, type TestFacade } from '../support/facade.js'
import { connectCaller, textOf } from './mcp-client.js'

const TOOL = {
  name: 'lookup',
  description: 'Looks a record up',
  inputSchema: {
    type: 'object' as const,
    properties: { region: { type: 'string', 'x-mcp-header': 'Region' }, page: { type: 'integer', 'x-mcp-header': 'Page' }, note: { type: 'string' } },
    required: ['region'],
  },
}
const META = {
  'io.modelcontextprotocol/protocolVersion': '2026-07-28',
  'io.modelcontextprotocol/clientInfo': { name: 'raw-test', version: '1' },
  'io.modelcontextprotocol/clientCapabilities': {},
}

describe('/mcp checks Mcp-Param headers against the body (SEP-2243)', () => {
  let vendor: ParamHeaderVendor
  let facade: TestFacade
  let url: string
  let id = 1

  /** A hand-built 2026-07-28 tools/call with the given extra headers. */
  const call = async (args: Record<string, unknown>, headers: Record<string, string>) => {
    const res = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-protocol-version': '2026-07-28',
        'mcp-method': 'tools/call',
        'mcp-name': TOOL.name,
        ...headers,
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: id++, method: 'tools/call', params: { name: TOOL.name, arguments: args, _meta: META } }),
    })
    const text = await res.text()
    const json = text.startsWith('{') ? JSON.parse(text) : JSON.parse(text.split('\n').find((l) => l.startsWith('data: '))!.slice(6))
    return { status: res.status, json }
  }

  beforeAll(async () => {
    vendor = await startParamHeaderVendor({ tools: [TOOL as never] })
    facade = await startTestFacade({ default: { url: vendor.url, protocol: 'modern', mcpEndpoint: { copilotSafeSchemas: false } } })
    url = `${facade.url}/mcp`
  })
  afterAll(async () => {
    await facade?.close()
    await vendor?.close()
  })

  it('refuses missing, mismatched and invalid headers with 400 and -32020, before the vendor is called', async () => {
    const before = vendor.calls().length
    const hello = Buffer.from('Hello').toString('base64')
    const cases: Array<[string, Record<string, unknown>, Record<string, string>]> = [
      ['missing', { region: 'eu' }, {}],
      ['mismatch', { region: 'eu' }, { 'Mcp-Param-Region': 'us' }],
      ['bad padding', { region: 'Hello' }, { 'Mcp-Param-Region': '=?base64?SGVsbG8?=' }],
      ['bad characters', { region: 'Hello' }, { 'Mcp-Param-Region': '=?base64?SGVs!!!bG8=?=' }],
      ['integer mismatch', { region: 'eu', page: 2 }, { 'Mcp-Param-Region': 'eu', 'Mcp-Param-Page': '3' }],
      ['literal is not decoded', { region: 'Hello' }, { 'Mcp-Param-Region': hello }],
    ]
    for (const [name, args, headers] of cases) {
      const answer = await call(args, headers)
      expect(answer.status, name).toBe(400)
      expect(answer.json.error.code, name).toBe(-32020)
    }
    expect(vendor.calls().length).toBe(before)
  })

  it('accepts agreeing headers: plain, Base64, a value that only looks like the sentinel, absent values', async () => {
    const hello = Buffer.from('Hello').toString('base64')
    const cases: Array<[string, Record<string, unknown>, Record<string, string>]> = [
      ['plain', { region: 'eu', page: 2 }, { 'Mcp-Param-Region': 'eu', 'Mcp-Param-Page': '2' }],
      ['base64', { region: 'Hello' }, { 'Mcp-Param-Region': `=?base64?${hello}?=` }],
      ['literal without prefix', { region: hello }, { 'Mcp-Param-Region': hello }],
      ['literal without suffix', { region: `=?base64?${hello}` }, { 'Mcp-Param-Region': `=?base64?${hello}` }],
      ['null page, header ignored', { region: 'eu', page: null }, { 'Mcp-Param-Region': 'eu', 'Mcp-Param-Page': 'whatever' }],
      ['whitespace around the value', { region: 'eu' }, { 'Mcp-Param-Region': '  eu ' }],
    ]
    for (const [name, args, headers] of cases) {
      const answer = await call(args, headers)
      expect(answer.status, name).toBe(200)
      expect(answer.json.error, name).toBeUndefined()
    }
  })

  it('an SDK client mirrors the headers itself and calls normally; 2025 callers are not checked', async () => {
    for (const era of ['modern', 'legacy'] as const) {
      const caller = await connectCaller(url, era)
      try {
        const result = await caller.client.callTool({ name: TOOL.name, arguments: { region: 'eu west', page: 1 } })
        expect(result.isError, era).toBeFalsy()
        expect(JSON.parse(textOf(result))).toEqual({ region: 'eu west', page: 1 })
      } finally {
        await caller.close()
      }
    }
  })

  it('decodes only canonical Base64 of UTF-8', () => {
    expect(decodeParamHeader('=?base64?SGVsbG8=?=')).toBe('Hello')
    expect(decodeParamHeader('=?base64?w6k=?=')).toBe('é')
    expect(decodeParamHeader('=?base64?/w==?=')).toBeUndefined() // 0xFF is not UTF-8
    expect(decodeParamHeader('plain')).toBe('plain')
  })
})
