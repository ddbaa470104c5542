/**
 * @module conformance/client
 * The client command the official MCP conformance suite runs: `client.ts <serverUrl>`, with the scenario in
 * `MCP_CONFORMANCE_SCENARIO`, the protocol version in `MCP_CONFORMANCE_PROTOCOL_VERSION` and scenario data (OAuth
 * client credentials, tool arguments) in `MCP_CONFORMANCE_CONTEXT`. It starts a real facade in-process in front of
 * the suite's mock server and drives it only through the REST surface with plain fetch, so what the suite checks is
 * what the facade sends upstream. Exit code 0 when every REST call answered as expected, 1 otherwise.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ConfigSchema } from '../src/config/schema.js'
import { createLogger } from '../src/log.js'
import { startFacade, type RunningFacade } from '../src/server.js'

/** `MCP_CONFORMANCE_CONTEXT` fields the scenarios we run use. */
interface ScenarioContext {
  client_id?: string
  client_secret?: string
  private_key_pem?: string
  signing_algorithm?: string
  /** Calls to make with exact arguments (`http-custom-headers`). */
  toolCalls?: Array<{ name: string; arguments: Record<string, unknown> }>
  /** `auth/enterprise-managed-authorization`: the user's ID token at the enterprise IdP, and the facade's client there. */
  idp_client_id?: string
  idp_id_token?: string
  idp_token_endpoint?: string
  /** `auth/wif-jwt-bearer`: the platform-issued workload JWT (the others are deliberately unusable ones). */
  valid_jwt?: string
}

type Json = Record<string, any>

const fail = (message: string): never => {
  throw new Error(message)
}

/** A REST client bound to the facade's base URL, sending `headers` (the caller's credential) on every request. */
function restClient(base: string, headers: Record<string, string> = {}) {
  const request = async (method: 'GET' | 'POST', path: string, body?: unknown, extra: Record<string, string> = {}): Promise<Json> => {
    const res = await fetch(base + path, {
      method,
      headers: body === undefined ? { ...headers, ...extra } : { ...headers, ...extra, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    const text = await res.text()
    if (!res.ok) fail(`${method} ${path} answered ${res.status}: ${text.slice(0, 500)}`)
    return JSON.parse(text) as Json
  }
  return {
    get: (path: string) => request('GET', path),
    post: (path: string, body: unknown) => request('POST', path, body),
    /** A tool call that lets the vendor ask questions (`Prefer: input-required`). */
    ask: (path: string, body: unknown) => request('POST', path, body, { prefer: 'input-required' }),
  }
}

/** Finds a listed tool by name. */
const toolPath = (listing: Json, name: string): string => ((listing.tools as Json[]).find((t) => t.name === name) ?? fail(`${name} not listed`)).path as string

/** Expects a REST answer with the given `status` (`complete` or `input_required`). */
function expectStatus(answer: Json, status: 'complete' | 'input_required'): Json {
  if (answer.status !== status) fail(`expected status ${status}, got ${JSON.stringify(answer).slice(0, 300)}`)
  return answer
}

/** Arguments that satisfy a tool's required properties, for scenarios that only check that a call arrives. */
function sampleArguments(schema: Json | undefined): Record<string, unknown> {
  const args: Record<string, unknown> = {}
  const properties: Json = schema?.properties ?? {}
  for (const name of (schema?.required as string[] | undefined) ?? []) {
    const type = properties[name]?.type
    args[name] = type === 'number' || type === 'integer' ? 1 : type === 'boolean' ? true : type === 'object' ? {} : type === 'array' ? [] : 'test'
  }
  return args
}

/** Waits until the facade has loaded the vendor's catalog (`GET /tools` stops answering 503). */
async function waitForCatalog(base: string, headers: Record<string, string>, timeoutMs = 15_000): Promise<Json> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const res = await fetch(`${base}/tools`, { headers })
    if (res.ok) return (await res.json()) as Json
    if (res.status !== 503 || Date.now() > deadline) fail(`GET /tools answered ${res.status}: ${(await res.text()).slice(0, 500)}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

/**
 * The facade's upstream config for a scenario: OAuth client credentials from the context for the auth scenarios;
 * for Enterprise-Managed Authorization, the REST caller's token (the user's ID token) is exchanged at the IdP for an
 * ID-JAG and then at the vendor's authorization server (discovered from the vendor); for workload identity, the
 * platform JWT sits in a file, as a platform would mount it.
 */
function serverConfig(url: string, protocolVersion: string, context: ScenarioContext): Json {
  // A call that cannot complete (a scenario the facade fails) ends well before the suite's 30 s client timeout.
  const server: Json = { url, transport: 'streamable-http', protocol: protocolVersion === '2026-07-28' ? 'modern' : 'legacy', timeouts: { callMs: 20_000 } }
  if (context.idp_id_token && context.idp_token_endpoint && context.idp_client_id && context.client_id && context.client_secret) {
    server.auth = { mode: 'passthrough' }
    server.oauth = {
      clientId: context.client_id,
      clientSecret: context.client_secret,
      delegation: { grant: 'id_jag', idp: { tokenUrl: context.idp_token_endpoint, clientId: context.idp_client_id } },
    }
  } else if (context.valid_jwt && context.client_id) {
    const dir = mkdtempSync(join(tmpdir(), 'mrf-wif-'))
    const file = join(dir, 'workload-token')
    writeFileSync(file, context.valid_jwt)
    process.on('exit', () => rmSync(dir, { recursive: true, force: true }))
    server.oauth = { clientId: context.client_id, grant: 'jwt_bearer', clientAssertionFile: file }
  } else if (context.client_id && (context.client_secret || context.private_key_pem)) {
    server.oauth = context.client_secret
      ? { clientId: context.client_id, clientSecret: context.client_secret }
      : { clientId: context.client_id, privateKey: context.private_key_pem, algorithm: context.signing_algorithm ?? 'RS256' }
  }
  return server
}

/** What each scenario does over REST. Unlisted scenarios list the tools and call each once. */
const SCENARIOS: Record<string, (rest: ReturnType<typeof restClient>, listing: Json, context: ScenarioContext) => Promise<void>> = {
  // The handshake happens when the facade loads its catalog; listing the tools is the whole exchange.
  initialize: async () => {},
  // The scenario only checks that the client never fetches the remote `$ref`: list, do not call.
  'json-schema-ref-no-deref': async () => {},
  // Round-trip the focal tool's schema, as `GET /tools` gives it, through the echo tool.
  'json-schema-2020-12-preservation': async (rest, listing) => {
    const tools = listing.tools as Json[]
    const focal = tools.find((t) => t.name === 'json_schema_2020_12_tool') ?? fail('json_schema_2020_12_tool not listed')
    const echo = tools.find((t) => t.name !== focal.name) ?? fail('no echo tool listed')
    await rest.post(echo.path, { schema: focal.inputSchema })
  },
  // SEP-1034: the vendor asks (on its standalone GET stream) for five optional fields with defaults; the REST caller
  // accepts without content and the facade fills every default in, typed.
  'elicitation-sep1034-client-defaults': async (rest, listing) => {
    const asked = expectStatus(await rest.ask(toolPath(listing, 'test_client_elicitation_defaults'), {}), 'input_required')
    if (asked.question?.kind !== 'form') fail(`expected a form question, got ${JSON.stringify(asked.question)}`)
    expectStatus(await rest.post(`/jobs/${asked.jobId}/answers`, { action: 'accept' }), 'complete')
  },
  // SEP-2322 through REST: each tool's input_required becomes questions; answers resume it (with the vendor's
  // requestState exactly when it sent one), an unrelated call in between carries neither, and a result without
  // resultType is complete.
  'sep-2322-client-request-state': async (rest, listing) => {
    const echo = expectStatus(await rest.ask(toolPath(listing, 'test_mrtr_echo_state'), {}), 'input_required')
    expectStatus(await rest.ask(toolPath(listing, 'test_mrtr_unrelated'), {}), 'complete')
    expectStatus(await rest.post(`/jobs/${echo.jobId}/answers`, { answers: [{ questionId: echo.question.id, action: 'accept', content: { confirmed: true } }] }), 'complete')
    const noState = expectStatus(await rest.ask(toolPath(listing, 'test_mrtr_no_state'), {}), 'input_required')
    expectStatus(await rest.post(`/jobs/${noState.jobId}/answers`, { action: 'accept', content: { confirmed: true } }), 'complete')
    expectStatus(await rest.ask(toolPath(listing, 'test_mrtr_no_result_type'), {}), 'complete')
  },
  // Exercise every request kind whose headers the scenario checks: tools, resources and prompts.
  'http-standard-headers': async (rest, listing) => {
    for (const tool of listing.tools as Json[]) await rest.post(tool.path, sampleArguments(tool.inputSchema))
    const { resources } = await rest.get('/resources')
    for (const r of resources as Json[]) await rest.get(`/resources/read?uri=${encodeURIComponent(r.uri)}`)
    const { prompts } = await rest.get('/prompts')
    for (const p of prompts as Json[]) await rest.post(`/prompts/${encodeURIComponent(p.slug)}`, sampleArguments({ required: (p.arguments ?? []).filter((a: Json) => a.required).map((a: Json) => a.name) }))
  },
}

async function callEveryTool(rest: ReturnType<typeof restClient>, listing: Json, context: ScenarioContext) {
  const tools = listing.tools as Json[]
  if (context.toolCalls?.length) {
    for (const call of context.toolCalls) {
      const tool = tools.find((t) => t.name === call.name) ?? fail(`tool ${call.name} not listed`)
      // The scenario's arguments as given, `null` included: on an optional property whose schema does not allow
      // it, the facade reads `null` as "absent" (the scenario's null case is "omitted or null").
      await rest.post(tool.path, call.arguments)
    }
    return
  }
  for (const tool of tools) await rest.post(tool.path, sampleArguments(tool.inputSchema))
}

async function main(): Promise<number> {
  const serverUrl = process.argv[2] ?? fail('usage: client.ts <serverUrl>')
  const scenario = process.env.MCP_CONFORMANCE_SCENARIO ?? fail('MCP_CONFORMANCE_SCENARIO is not set')
  const protocolVersion = process.env.MCP_CONFORMANCE_PROTOCOL_VERSION ?? '2025-11-25'
  const context = JSON.parse(process.env.MCP_CONFORMANCE_CONTEXT ?? '{}') as ScenarioContext
  const log = createLogger((process.env.FACADE_LOG_LEVEL as 'warn' | undefined) ?? 'warn')
  const config = ConfigSchema.parse({ port: 0, host: '127.0.0.1', shutdownGraceMs: 2000, servers: { default: serverConfig(serverUrl, protocolVersion, context) } })
  let facade: RunningFacade | undefined
  try {
    facade = await startFacade(config, log)
    // With Enterprise-Managed Authorization the REST caller is the user, presenting its IdP token.
    const headers: Record<string, string> = context.idp_id_token ? { authorization: `Bearer ${context.idp_id_token}` } : {}
    const rest = restClient(facade.url, headers)
    const listing = await waitForCatalog(facade.url, headers)
    await (SCENARIOS[scenario] ?? callEveryTool)(rest, listing, context)
    return 0
  } catch (error) {
    process.stderr.write(`conformance client (${scenario}): ${(error as Error).message}\n`)
    return 1
  } finally {
    await facade?.close().catch(() => {})
  }
}

process.exitCode = await main()
