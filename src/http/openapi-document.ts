/**
 * @module http/openapi-document
 * The OpenAPI 3.1 document of one server. Two parts:
 * - the fixed operations (sessions, jobs, resources, prompts lists, catalog, health, ready, …) come from the
 *   server app's own registry: each is declared once with `createRoute` beside its handler;
 * - the catalog-following operations (one per typed tool, one per prompt, and InvokeTool) are generated here as
 *   plain JSON, because they follow the vendor's JSON Schemas, not zod ones.
 * Everything that repeats per operation (problem responses, the 202 answer, the session and Prefer parameters,
 * response headers) is a component referenced by `$ref`, which keeps the document near 1 KB per tool beyond the
 * tool's own schemas. The empty-value leniency of connector calls is stated in `info.description` and on the
 * `X-Facade-Client` parameter.
 */
import { OpenApiGeneratorV31, type OpenAPIRegistry } from '@asteasolutions/zod-to-openapi'
import type { Catalog, CatalogPrompt, CatalogTool } from '../catalog/types.js'
import { CONNECTOR_CLIENT_HEADER, CONNECTOR_CLIENT_VALUE } from '../connector/client-header.js'
import {
  componentRef as ref,
  HEADER_COMPONENTS,
  headerRefs,
  problemResponseComponents,
  problemResponses,
  TOOL_CALL_CODES,
  type ProblemContext,
} from './openapi-components.js'
import { relocateSchema } from './openapi-schema.js'
import { COMPLETION_CODES, PROMPT_CALL_CODES, TEMPLATE_READ_CODES } from './routes/mcp-extras.js'
import { templateOperations, type TemplateOperation } from '../catalog/resource-templates.js'
import { CONNECTOR_COMPLETION_CODES } from './routes/connector.js'
import { SESSION_DESCRIPTION } from './routes/session-parameters.js'

type Json = Record<string, unknown>

/** Options of {@link buildOpenApiDocument}. */
export interface OpenApiOptions {
  title: string
  version: string
  /** `servers` entries, most specific first (relative URLs resolve against the document's own URL). */
  servers: string[]
  /** The route definitions of the server app (`app.openAPIRegistry.definitions`). */
  fixed: OpenAPIRegistry['definitions']
  problems: ProblemContext
  /** Inbound API key header, or undefined when the facade runs without a key. */
  apiKeyHeader?: string
  bearer?: boolean
  /** An `oauth2` authorization-code scheme: the vendor's (passthrough) or the one users sign in with (`jwt`). */
  oauth2?: { authorizationUrl: string; tokenUrl: string; refreshUrl?: string; scopes: Record<string, string> }
  /** An `openIdConnect` scheme: the discovery URL of the issuer whose tokens the facade validates (`jwt`). */
  openIdConnectUrl?: string
  /** More operations, by path (e.g. the MCP endpoint); added as they are, after the generated ones. */
  extraPaths?: Record<string, Json>
}

/** The empty-value rule (`null` for everyone, `""`/`[]` for connector calls only), stated where callers read it. */
export const EMPTY_VALUE_RULE =
  `\`null\` on an optional argument whose schema does not allow \`null\` means "absent" for every caller (code generators send it for unset properties); the argument is left out before the vendor is called. With \`${CONNECTOR_CLIENT_HEADER}: ${CONNECTOR_CLIENT_VALUE}\` (sent by the Power Platform connector), optional arguments that are \`""\` or \`[]\` and that the schema rejects are dropped too, because Power Automate sends empty optional inputs that way; without that header they are validated as sent.`

const PARAMETERS: Record<string, Json> = {
  SessionId: { name: 'X-Session-Id', in: 'header', required: false, description: SESSION_DESCRIPTION, schema: { type: 'string' } },
  SessionIdQuery: { name: 'sessionId', in: 'query', required: false, description: 'Same as the X-Session-Id header, for clients that cannot set headers.', schema: { type: 'string' } },
  Prefer: {
    name: 'Prefer',
    in: 'header',
    required: false,
    description:
      '`respond-async` answers 202 with a Location to poll instead of waiting; `input-required` lets the vendor ask questions mid-call, answered as 200 `status: input_required` (then POST /jobs/{jobId}/answers). Both may be combined.',
    schema: { type: 'string' },
  },
  IdempotencyKey: {
    name: 'Idempotency-Key',
    in: 'header',
    required: false,
    description:
      'IETF draft Idempotency-Key (1–255 printable characters, optionally quoted). A retry with the same key gets the first call’s answer (header `Idempotent-Replayed: true`) instead of running the tool again, or waits for it; the same key with another request is 422 `idempotency_key_reused`, a first call still running past the wait is 409 `idempotency_key_in_use`.',
    schema: { type: 'string', minLength: 1, maxLength: 257 },
  },
  FacadeClient: {
    name: CONNECTOR_CLIENT_HEADER,
    in: 'header',
    required: false,
    description: `Set by the Power Platform connector only. Results then use the connector's property names. ${EMPTY_VALUE_RULE}`,
    schema: { type: 'string', enum: [CONNECTOR_CLIENT_VALUE] },
  },
}
const CALL_PARAMETERS = ['SessionId', 'SessionIdQuery', 'Prefer', 'FacadeClient'].map((n) => ref('parameters', n))

const RESPONSES: Record<string, Json> = {
  Accepted: {
    description: 'Still running: poll the Location header (GET /jobs/{jobId}) after Retry-After seconds.',
    headers: headerRefs('Location', 'RetryAfter', 'PreferenceApplied'),
    content: { 'application/json': { schema: ref('schemas', 'Job') } },
  },
  ToolResult: {
    description: 'The tool result (`status: complete`), or (`Prefer: input-required`) the questions the vendor asks (`status: input_required`).',
    headers: headerRefs('SessionId', 'PreferenceApplied'),
    content: { 'application/json': { schema: ref('schemas', 'ToolAnswer') } },
  },
}

/** `data` schema: outputSchema wrapped with the same rule as the runtime (arrays → items, scalars → value). */
function dataSchema(tool: CatalogTool, outputRef: string): Json {
  const t = tool.outputSchema?.type
  if (t === 'object' || t === undefined) return { $ref: outputRef }
  if (t === 'array') return { type: 'object', properties: { items: { $ref: outputRef } } }
  return { type: 'object', properties: { value: { $ref: outputRef } } }
}

function toolOperation(tool: CatalogTool, schemas: Json, callProblems: Json): Json {
  const inputName = `${tool.operationId}Input`
  const input = relocateSchema(tool.inputSchema, inputName)
  Object.assign(schemas, input.components, { [inputName]: input.root })
  let ok: Json = ref('responses', 'ToolResult')
  if (tool.outputSchema) {
    const outputName = `${tool.operationId}Output`
    const output = relocateSchema(tool.outputSchema, outputName)
    Object.assign(schemas, output.components, { [outputName]: output.root })
    ok = {
      description: 'Result.',
      headers: headerRefs('SessionId', 'PreferenceApplied'),
      // An `input_required` answer has no `data`, so typing `data` holds for both kinds of ToolAnswer.
      content: {
        'application/json': {
          schema: {
            allOf: [
              ref('schemas', 'ToolAnswerBase'),
              // `data` is described once, on ToolEnvelopeBase: repeated here it cost ~90 bytes per tool.
              { properties: { data: dataSchema(tool, `#/components/schemas/${outputName}`) } },
            ],
          },
        },
      },
    }
  }
  return {
    operationId: tool.operationId,
    summary: tool.title ?? tool.name,
    ...(tool.description ? { description: tool.description } : {}),
    tags: ['Tools'],
    'x-mcp-tool': tool.name,
    parameters: CALL_PARAMETERS,
    requestBody: { required: true, content: { 'application/json': { schema: ref('schemas', inputName) } } },
    responses: { 200: ok, 202: ref('responses', 'Accepted'), ...callProblems },
  }
}

function promptOperation(prompt: CatalogPrompt, problems: Json): Json {
  const args = prompt.arguments ?? []
  const required = args.filter((a) => a.required).map((a) => a.name)
  return {
    operationId: prompt.operationId,
    summary: prompt.title ?? prompt.name,
    ...(prompt.description ? { description: prompt.description } : {}),
    tags: ['Prompts'],
    'x-mcp-prompt': prompt.name,
    parameters: [ref('parameters', 'SessionId'), ref('parameters', 'SessionIdQuery')],
    requestBody: {
      required: required.length > 0,
      content: {
        'application/json': {
          schema: {
            type: 'object',
            properties: Object.fromEntries(args.map((a) => [a.name, { type: 'string', ...(a.description ? { description: a.description } : {}) }])),
            ...(required.length ? { required } : {}),
          },
        },
      },
    },
    responses: {
      200: { description: 'Rendered prompt messages.', headers: headerRefs('SessionId'), content: { 'application/json': { schema: ref('schemas', 'PromptMessages') } } },
      ...problems,
    },
  }
}

/** `GET /resources/templates/{slug}/read`: one resource template filled in from its variables (query parameters). */
function templateReadOperation({ template, operationId, variables }: TemplateOperation, problems: Json): Json {
  return {
    operationId,
    summary: template.title ?? template.name,
    description: `${template.description ? `${template.description} ` : ''}Reads \`${template.uriTemplate}\` with the given variables (RFC 6570).`,
    tags: ['Resources'],
    'x-mcp-resource-template': template.uriTemplate,
    parameters: [
      ...variables.map((v) => ({ name: v.name, in: 'query', required: !v.optional, description: `The ${v.name} variable of the template.`, schema: { type: 'string', ...(v.optional ? {} : { minLength: 1 }) } })),
      ref('parameters', 'SessionId'),
      ref('parameters', 'SessionIdQuery'),
    ],
    responses: {
      200: { description: 'Contents.', headers: headerRefs('SessionId'), content: { 'application/json': { schema: ref('schemas', 'ResourceContents') } } },
      ...problems,
    },
  }
}

/** `POST /completions`, declared only when the vendor offers completions (the route answers 404 otherwise). */
function completionOperation(problems: Json): Json {
  const name = { type: 'string', minLength: 1 }
  return {
    operationId: 'Complete',
    summary: 'Complete a prompt or resource-template argument',
    description: 'Asks the MCP server for values of a prompt argument or resource-template variable (MCP `completion/complete`).',
    tags: ['Prompts'],
    parameters: [ref('parameters', 'SessionId'), ref('parameters', 'SessionIdQuery')],
    requestBody: {
      required: true,
      content: {
        'application/json': {
          schema: {
            type: 'object',
            required: ['ref', 'argument'],
            properties: {
              ref: {
                oneOf: [
                  { type: 'object', required: ['type', 'name'], properties: { type: { const: 'ref/prompt' }, name: { ...name, description: 'The prompt name.' } } },
                  { type: 'object', required: ['type', 'uri'], properties: { type: { const: 'ref/resource' }, uri: { ...name, description: 'The resource template (its uriTemplate) or resource URI.' } } },
                ],
              },
              argument: { type: 'object', required: ['name', 'value'], properties: { name, value: { type: 'string' } }, description: 'The argument being completed and what the user typed so far.' },
              context: { type: 'object', properties: { arguments: { type: 'object', additionalProperties: { type: 'string' } } }, description: 'Arguments already chosen.' },
            },
          },
        },
      },
    },
    responses: {
      200: {
        description: 'Completion values.',
        headers: headerRefs('SessionId'),
        content: {
          'application/json': {
            schema: {
              type: 'object',
              required: ['completion'],
              properties: {
                completion: {
                  type: 'object',
                  required: ['values'],
                  properties: { values: { type: 'array', items: { type: 'string' }, maxItems: 100 }, total: { type: 'integer' }, hasMore: { type: 'boolean' } },
                },
                sessionId: { type: 'string', description: 'The caller session the call ran in.' },
                sessionRenewed: { type: 'boolean', description: 'True when the vendor lost the session and it was re-created.' },
              },
            },
          },
        },
      },
      ...problems,
    },
  }
}

/** `GET /connector/completions`: an argument's completions as objects, for the connector's dynamic values. */
function connectorCompletionOperation(problems: Json): Json {
  const query = (name: string, required: boolean, description: string) => ({ name, in: 'query', required, description, schema: { type: 'string', ...(required ? { minLength: 1 } : {}) } })
  return {
    operationId: 'ConnectorCompleteArgument',
    summary: 'Suggested values of an argument, for the connector',
    description: 'The MCP server\'s completions of a prompt argument or resource-template variable (on the caller\'s pooled session), as `{ values: [{ value }] }` so a Power Platform dynamic-values list can point at `value`. Give `prompt` or `template`; the other arguments go in `context.<name>` query parameters (empty ones are left out).',
    tags: ['Connector'],
    parameters: [
      query('prompt', false, 'The prompt name (or give template).'),
      query('template', false, 'The resource template: its URI template.'),
      query('argument', true, 'The argument or variable to suggest values for.'),
      query('value', false, 'What was typed so far (absent: everything).'),
    ],
    responses: {
      200: {
        description: 'The suggestions.',
        content: {
          'application/json': {
            schema: {
              type: 'object',
              required: ['values'],
              properties: { values: { type: 'array', items: { type: 'object', required: ['value'], properties: { value: { type: 'string' } } } } },
            },
          },
        },
      },
      ...problems,
    },
  }
}

/**
 * The generic operation declares Idempotency-Key (every tool operation accepts it too; declared once, here and in
 * the document's description, because one more parameter and response per tool would cost the document ~150 bytes
 * per tool).
 */
function invokeToolOperation(callProblems: Json, idempotencyProblems: Json): Json {
  return {
    operationId: 'InvokeTool',
    summary: 'Call any tool by its original name',
    description: 'Calls any tool of the server by its vendor name (URL-encoded), including tools without their own operation.',
    tags: ['Tools'],
    parameters: [{ name: 'tool', in: 'path', required: true, description: 'The vendor tool name, URL-encoded.', schema: { type: 'string' } }, ...CALL_PARAMETERS, ref('parameters', 'IdempotencyKey')],
    requestBody: { required: false, content: { 'application/json': { schema: { type: 'object', description: 'The tool arguments; GET /tools has each input schema.' } } } },
    responses: { 200: ref('responses', 'ToolResult'), 202: ref('responses', 'Accepted'), ...callProblems, ...idempotencyProblems },
  }
}

/**
 * Security schemes and the root requirement. Each scheme is an alternative (one requirement object each): with
 * `jwt`, a bearer token is always accepted, and the `oauth2` or `openIdConnect` scheme says where to get one.
 */
function securityOf(options: OpenApiOptions): { schemes: Json; security: Json[] } {
  const schemes: Json = {}
  const security: Json[] = []
  const o = options.oauth2
  if (options.apiKeyHeader) {
    schemes.apiKey = { type: 'apiKey', in: 'header', name: options.apiKeyHeader }
    security.push({ apiKey: [] })
  }
  if (options.bearer) {
    schemes.bearer = { type: 'http', scheme: 'bearer' }
    security.push({ bearer: [] })
  }
  if (o) {
    const flow = { authorizationUrl: o.authorizationUrl, tokenUrl: o.tokenUrl, ...(o.refreshUrl ? { refreshUrl: o.refreshUrl } : {}), scopes: o.scopes }
    schemes.oauth2 = { type: 'oauth2', flows: { authorizationCode: flow } }
    security.push({ oauth2: Object.keys(o.scopes).sort() })
  }
  if (options.openIdConnectUrl) {
    schemes.openIdConnect = { type: 'openIdConnect', openIdConnectUrl: options.openIdConnectUrl }
    security.push({ openIdConnect: [] })
  }
  // No inbound auth: the empty requirement says so explicitly (anonymous access).
  return security.length ? { schemes, security } : { schemes: {}, security: [{}] }
}

/** Builds the OpenAPI 3.1 document for a catalog. */
export function buildOpenApiDocument(catalog: Catalog, options: OpenApiOptions): Json {
  const { schemes, security } = securityOf(options)
  const fixed = new OpenApiGeneratorV31(options.fixed).generateDocument({
    openapi: '3.1.0',
    info: {
      title: options.title,
      version: options.version,
      description: `REST facade for the MCP server "${catalog.server.title ?? catalog.server.name}" (catalog version ${catalog.version}). Every error is RFC 9457 problem+json with a stable \`code\`. Every tool call accepts an \`Idempotency-Key\` header (see InvokeTool). ${EMPTY_VALUE_RULE}`,
    },
    servers: options.servers.map((url) => ({ url })),
    security: security as never,
  }) as unknown as Json & { paths: Record<string, Json>; components?: Record<string, Json> }

  const schemas: Json = {
    ToolAnswer: {
      description: 'What a tool call answers with 200: the result (`status: complete`), or the questions of an interactive call (`status: input_required`).',
      oneOf: [ref('schemas', 'ToolEnvelope'), ref('schemas', 'InputRequired')],
    },
    ToolAnswerBase: {
      description: 'ToolAnswer without `data`: each typed tool adds its own `data` (an `input_required` answer has none).',
      oneOf: [ref('schemas', 'ToolEnvelopeBase'), ref('schemas', 'InputRequired')],
    },
  }
  const callProblems = problemResponses(options.problems, TOOL_CALL_CODES)
  const paths: Record<string, Json> = {}
  for (const tool of catalog.tools) if (tool.typed) paths[`/tools/${tool.slug}`] = { post: toolOperation(tool, schemas, callProblems) }
  paths['/invoke/{tool}'] = { post: invokeToolOperation(callProblems, problemResponses(options.problems, [...TOOL_CALL_CODES, 'idempotency_key_reused', 'idempotency_key_in_use'])) }
  const promptProblems = problemResponses(options.problems, PROMPT_CALL_CODES)
  for (const prompt of catalog.prompts) paths[`/prompts/${prompt.slug}`] = { post: promptOperation(prompt, promptProblems) }
  const templateProblems = problemResponses(options.problems, [...TEMPLATE_READ_CODES])
  for (const op of templateOperations(catalog)) paths[`/resources/templates/${op.slug}/read`] = { get: templateReadOperation(op, templateProblems) }
  if (catalog.server.supports?.completions) {
    paths['/completions'] = { post: completionOperation(problemResponses(options.problems, [...COMPLETION_CODES])) }
    paths['/connector/completions'] = { get: connectorCompletionOperation(problemResponses(options.problems, [...CONNECTOR_COMPLETION_CODES])) }
  }
  Object.assign(paths, fixed.paths, options.extraPaths ?? {})

  const components = fixed.components ?? {}
  const document: Json = {
    ...fixed,
    paths,
    components: {
      ...components,
      schemas: { ...(components.schemas as Json), ...schemas },
      parameters: PARAMETERS,
      headers: HEADER_COMPONENTS,
      responses: { ...RESPONSES, ...usedProblemResponses(paths) },
      ...(Object.keys(schemes).length ? { securitySchemes: schemes } : {}),
    },
  }
  delete document.webhooks
  return document
}

/** The problem response components the paths reference (components are shared across servers; keep only ours). */
function usedProblemResponses(paths: Record<string, Json>): Json {
  const used = new Set<string>()
  for (const item of Object.values(paths))
    for (const op of Object.values(item) as { responses?: Record<string, { $ref?: string }> }[])
      for (const r of Object.values(op.responses ?? {})) if (r.$ref?.startsWith('#/components/responses/')) used.add(r.$ref.slice(23))
  const all = problemResponseComponents()
  return Object.fromEntries(Object.entries(all).filter(([name]) => used.has(name)))
}
