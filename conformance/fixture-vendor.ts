/**
 * @module conformance/fixture-vendor
 * Our own vendor for the official suite's *server* scenarios: the tools, resources and prompts the scenarios name
 * (`test_simple_text`, `test://static-text`, `test_prompt_with_arguments`, …), built with the SDK's `McpServer` and
 * served by `createMcpHandler` for 2026-07-28 and with sessions for the 2025 revisions ({@link ./fixture-sessions}), on
 * 127.0.0.1. The runner
 * ({@link ./server}) runs the suite against it directly and through the facade's `/mcp`, so every difference
 * between the two runs is the facade's.
 */
import {
  completable,
  createMcpHandler,
  fromJsonSchema,
  hostHeaderValidationResponse,
  isLegacyRequest,
  localhostAllowedHostnames,
  localhostAllowedOrigins,
  McpServer,
  originValidationResponse,
  ResourceTemplate,
} from '@modelcontextprotocol/server'
import { serve } from '@hono/node-server'
import type { AddressInfo } from 'node:net'
import { z } from 'zod'
import { registerElicitingTools, verifyRequestState } from './fixture-eliciting.js'
import { sessionfulLegacy } from './fixture-sessions.js'

const RED_PIXEL = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg=='
const SILENT_WAV = 'UklGRiQAAABXQVZFZm10IBAAAAABAAEAQB8AAEAfAAABAAgAZGF0YQAAAAA='
const JSON_SCHEMA_2020_12 = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  $defs: { address: { $anchor: 'addressDef', type: 'object', properties: { street: { type: 'string' }, city: { type: 'string' } } } },
  properties: {
    name: { type: 'string' },
    address: { $ref: '#/$defs/address' },
    contactMethod: { type: 'string', enum: ['phone', 'email'] },
    phone: { type: 'string' },
    email: { type: 'string' },
  },
  allOf: [{ anyOf: [{ required: ['phone'] }, { required: ['email'] }] }],
  if: { properties: { contactMethod: { const: 'phone' } }, required: ['contactMethod'] },
  then: { required: ['phone'] },
  else: { required: ['email'] },
  additionalProperties: false,
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const text = (t: string) => ({ type: 'text' as const, text: t })

function createServer(): McpServer {
  const server = new McpServer(
    { name: 'conformance-fixture-vendor', version: '1.0.0' },
    { capabilities: { logging: {}, completions: {}, resources: { subscribe: true } }, requestState: { verify: verifyRequestState } },
  )
  const noArgs = z.object({})
  server.registerTool('test_simple_text', { description: 'Returns simple text', inputSchema: noArgs }, () => ({ content: [text('This is a simple text response for testing.')] }))
  server.registerTool('test_image_content', { description: 'Returns an image', inputSchema: noArgs }, () => ({ content: [{ type: 'image', data: RED_PIXEL, mimeType: 'image/png' }] }))
  server.registerTool('test_audio_content', { description: 'Returns audio', inputSchema: noArgs }, () => ({ content: [{ type: 'audio', data: SILENT_WAV, mimeType: 'audio/wav' }] }))
  server.registerTool('test_embedded_resource', { description: 'Returns an embedded resource', inputSchema: noArgs }, () => ({
    content: [{ type: 'resource', resource: { uri: 'test://embedded-resource', mimeType: 'text/plain', text: 'This is an embedded resource content.' } }],
  }))
  server.registerTool('test_multiple_content_types', { description: 'Returns several content types', inputSchema: noArgs }, () => ({
    content: [
      text('Multiple content types test:'),
      { type: 'image', data: RED_PIXEL, mimeType: 'image/png' },
      { type: 'resource', resource: { uri: 'test://mixed-content-resource', mimeType: 'application/json', text: JSON.stringify({ test: 'data', value: 123 }) } },
    ],
  }))
  server.registerTool('test_tool_with_logging', { description: 'Logs while running', inputSchema: noArgs }, async (_args, ctx) => {
    await ctx.mcpReq.log('info', 'Tool execution started')
    await sleep(50)
    await ctx.mcpReq.log('info', 'Tool processing data')
    await sleep(50)
    await ctx.mcpReq.log('info', 'Tool execution completed')
    return { content: [text('Tool with logging executed successfully')] }
  })
  server.registerTool('test_error_handling', { description: 'Always fails', inputSchema: noArgs }, () => ({
    isError: true,
    content: [text('This tool intentionally returns an error for testing')],
  }))
  server.registerTool('test_tool_with_progress', { description: 'Reports progress', inputSchema: noArgs }, async (_args, ctx) => {
    const token = ctx.mcpReq._meta?.progressToken
    for (const progress of [0, 50, 100]) {
      if (token !== undefined) await ctx.mcpReq.notify({ method: 'notifications/progress', params: { progressToken: token, progress, total: 100 } })
      if (progress < 100) await sleep(50)
    }
    return { content: [text('Tool with progress executed successfully')] }
  })
  // SEP-2243: an argument mirrored into `Mcp-Param-Region` (the suite's server-side header validation needs one).
  const regionSchema = { type: 'object', properties: { region: { type: 'string', 'x-mcp-header': 'Region' }, query: { type: 'string' } }, required: ['region'] }
  server.registerTool('test_param_header', { description: 'Echoes its region', inputSchema: fromJsonSchema(regionSchema as never) }, (args) => ({
    content: [text(`region ${String((args as { region?: unknown }).region)}`)],
  }))
  registerElicitingTools(server)
  server.registerTool('json_schema_2020_12_tool', { description: 'Tool with JSON Schema 2020-12 features', inputSchema: fromJsonSchema(JSON_SCHEMA_2020_12 as never) }, () => ({ content: [text('ok')] }))

  server.registerResource('static-text', 'test://static-text', { description: 'A static text resource', mimeType: 'text/plain' }, (uri) => ({
    contents: [{ uri: uri.href, mimeType: 'text/plain', text: 'This is the content of the static text resource.' }],
  }))
  server.registerResource('static-binary', 'test://static-binary', { description: 'A static binary resource', mimeType: 'image/png' }, (uri) => ({
    contents: [{ uri: uri.href, mimeType: 'image/png', blob: RED_PIXEL }],
  }))
  server.registerResource('watched-resource', 'test://watched-resource', { description: 'A resource to subscribe to', mimeType: 'text/plain' }, (uri) => ({
    contents: [{ uri: uri.href, mimeType: 'text/plain', text: 'Watched resource content.' }],
  }))
  server.registerResource(
    'template',
    new ResourceTemplate('test://template/{id}/data', { list: undefined, complete: { id: (value) => ['123', '456'].filter((v) => v.startsWith(value)) } }),
    { description: 'A resource template', mimeType: 'application/json' },
    (uri, variables) => ({
      contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify({ id: String(variables.id), templateTest: true, data: `Data for ID: ${String(variables.id)}` }) }],
    }),
  )
  // Subscriptions are accepted (the resource never changes).
  server.server.setRequestHandler('resources/subscribe', () => ({}))
  server.server.setRequestHandler('resources/unsubscribe', () => ({}))

  server.registerPrompt('test_simple_prompt', { description: 'A simple prompt' }, () => ({ messages: [{ role: 'user', content: text('This is a simple prompt for testing.') }] }))
  server.registerPrompt(
    'test_prompt_with_arguments',
    {
      description: 'A prompt with arguments',
      argsSchema: {
        arg1: completable(z.string().describe('First test argument'), (value) => ['paris', 'park', 'party', 'test'].filter((v) => v.startsWith(value))),
        arg2: z.string().describe('Second test argument'),
      },
    },
    ({ arg1, arg2 }) => ({ messages: [{ role: 'user', content: text(`Prompt with arguments: arg1='${arg1}', arg2='${arg2}'`) }] }),
  )
  server.registerPrompt(
    'test_prompt_with_embedded_resource',
    { description: 'A prompt with an embedded resource', argsSchema: { resourceUri: z.string().describe('URI of the resource to embed') } },
    ({ resourceUri }) => ({
      messages: [
        { role: 'user', content: { type: 'resource', resource: { uri: resourceUri, mimeType: 'text/plain', text: 'Embedded resource content for testing.' } } },
        { role: 'user', content: text('Please process the embedded resource above.') },
      ],
    }),
  )
  server.registerPrompt('test_prompt_with_image', { description: 'A prompt with an image' }, () => ({
    messages: [
      { role: 'user', content: { type: 'image', data: RED_PIXEL, mimeType: 'image/png' } },
      { role: 'user', content: text('Please analyze the image above.') },
    ],
  }))
  return server
}

/** A running fixture vendor. */
export interface FixtureVendor {
  /** `http://127.0.0.1:<port>/mcp` */
  url: string
  close(): Promise<void>
}

/** Starts the fixture vendor on 127.0.0.1, port 0. */
export async function startFixtureVendor(): Promise<FixtureVendor> {
  // 2026-07-28 from the SDK's handler; 2025 with sessions (a vendor that pushes elicitation/create needs them).
  const handler = createMcpHandler(() => createServer(), { legacy: 'reject' })
  const legacy = sessionfulLegacy(createServer)
  const serveMcp = async (request: Request) => ((await isLegacyRequest(request)) ? legacy.handle(request) : handler.fetch(request))
  const server = serve({
    port: 0,
    hostname: '127.0.0.1',
    // The SDK's own DNS-rebinding guard, so the vendor passes `dns-rebinding-protection` by itself.
    fetch: (request) =>
      new URL(request.url).pathname !== '/mcp'
        ? new Response('not found', { status: 404 })
        : (hostHeaderValidationResponse(request, localhostAllowedHostnames()) ?? originValidationResponse(request, localhostAllowedOrigins()) ?? serveMcp(request)),
  })
  await new Promise<void>((resolve) => (server.listening ? resolve() : server.once('listening', () => resolve())))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    async close() {
      await handler.close()
      await legacy.close()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
