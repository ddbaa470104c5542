/**
 * The connector side of the MCP endpoint: exactly one `x-ms-agentic-protocol` operation (InvokeMCP) on the
 * endpoint's path in the served and exported Swagger 2.0, a setting to leave it out, `export --mcp-only`, the
 * `/{server}/mcp` mount with several servers, and the endpoint switch.
 */
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { writeConnectorFolder } from '../../src/connector/export.js'
import { MCP_ENDPOINT_PATH } from '../../src/mcp-endpoint/route.js'
import { checkConnectorDocument } from '../../src/swagger/checker.js'
import { startSessionfulVendor, type SessionfulVendor } from '../fixtures/sessionful-vendor.js'
import { jsonOf, startTestFacade, type TestFacade } from '../support/facade.js'
import { connectCaller, postRpc } from './mcp-client.js'

/** Every operation carrying `x-ms-agentic-protocol`, as `METHOD path`. */
function agenticOperations(doc: Record<string, any>): { at: string; op: Record<string, unknown> }[] {
  return Object.entries(doc.paths as Record<string, Record<string, Record<string, unknown>>>).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([, op]) => op && typeof op === 'object' && 'x-ms-agentic-protocol' in op)
      .map(([method, op]) => ({ at: `${method.toUpperCase()} ${path}`, op })),
  )
}

describe('InvokeMCP in the connector', () => {
  let vendor: SessionfulVendor
  let facade: TestFacade
  let without: TestFacade
  let several: TestFacade

  beforeAll(async () => {
    vendor = await startSessionfulVendor()
    facade = await startTestFacade({ default: { url: vendor.url } }, { publicUrl: 'https://facade.example.com' })
    without = await startTestFacade({ default: { url: vendor.url, mcpEndpoint: { connectorOperation: false } } }, { publicUrl: 'https://facade.example.com' })
    several = await startTestFacade({ crm: { url: vendor.url }, off: { url: vendor.url, mcpEndpoint: { enabled: false } } }, { publicUrl: 'https://facade.example.com' })
  })
  afterAll(async () => {
    await facade?.close()
    await without?.close()
    await several?.close()
    await vendor?.close()
  })

  it('the Swagger document carries exactly one x-ms-agentic-protocol operation, on the endpoint path, with no checker errors', async () => {
    const doc = await jsonOf(await facade.call('/swagger.json'))
    const agentic = agenticOperations(doc)
    expect(agentic.map((a) => a.at)).toEqual([`POST ${MCP_ENDPOINT_PATH}`])
    expect(agentic[0]!.op).toMatchObject({ operationId: 'InvokeMCP', 'x-ms-agentic-protocol': 'mcp-streamable-1.0' })
    expect(doc.paths['/tools/echo']).toBeDefined() // the typed operations stay
    expect(checkConnectorDocument(doc).filter((v) => v.severity === 'error')).toEqual([])
  })

  it('the setting leaves it out', async () => {
    const doc = await jsonOf(await without.call('/swagger.json'))
    expect(agenticOperations(doc)).toEqual([])
    expect(doc.paths['/tools/echo']).toBeDefined()
  })

  it('export --mcp-only writes a connector folder with InvokeMCP alone', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mrf-mcp-only-'))
    const summary = writeConnectorFolder(facade.runtimes[0]!, dir, { mcpOnly: true })
    expect(summary).toContain('(1 operation)')
    expect(readdirSync(dir).sort()).toEqual(['README.md', 'apiDefinition.swagger.json', 'apiProperties.json', 'icon.png', 'settings.json'])
    const doc = JSON.parse(readFileSync(join(dir, 'apiDefinition.swagger.json'), 'utf8'))
    expect(Object.keys(doc.paths)).toEqual([MCP_ENDPOINT_PATH])
    expect(agenticOperations(doc).map((a) => a.op.operationId)).toEqual(['InvokeMCP'])
    expect(doc).toMatchObject({ swagger: '2.0', host: 'facade.example.com', basePath: '/', schemes: ['https'] })
    expect(checkConnectorDocument(doc).filter((v) => v.severity === 'error')).toEqual([])
  })

  it('with several servers each one serves /{server}/mcp, its Swagger points there, and the switch turns it off', async () => {
    const caller = await connectCaller(`${several.url}/crm/mcp`, 'legacy')
    try {
      expect((await caller.client.callTool({ name: 'echo', arguments: { message: 'crm' } })).structuredContent).toEqual({ message: 'crm' })
    } finally {
      await caller.close()
    }
    const crmDoc = await jsonOf(await several.call('/crm/swagger.json'))
    expect(crmDoc.basePath).toBe('/crm')
    expect(agenticOperations(crmDoc).map((a) => a.at)).toEqual(['POST /mcp'])
    const offDoc = await jsonOf(await several.call('/off/swagger.json'))
    expect(agenticOperations(offDoc)).toEqual([])
    const off = await postRpc(`${several.url}/off/mcp`, { jsonrpc: '2.0', id: 1, method: 'tools/list' })
    expect(off.status).toBe(404)
    expect((await jsonOf(off)).code).toBe('not_found')
  })
})
