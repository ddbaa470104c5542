/**
 * @module swagger/operations
 * The operations of the connector and the REST contract they describe (paths are relative to `basePath`):
 *
 * | Method and path | operationId | Visibility | Success |
 * |---|---|---|---|
 * | `POST /tools/{slug}` (static path per typed tool) | the tool's `operationId` | important | 200 envelope, 202 async |
 * | `POST /invoke/{tool}` | `InvokeTool` | advanced | 200 envelope (dynamic schema), 202 async |
 * | `POST /sessions` | `CreateSession` | advanced | 201 `{ sessionId, expiresAt }` |
 * | `DELETE /sessions/{sessionId}` | `EndSession` | advanced | 204 |
 * | `GET /connector/tools` | `ListTools` | internal | 200 `{ tools: [{ name, title }] }` |
 * | `GET /connector/tools/{tool}/input-schema` | `GetToolInputSchema` | internal | 200 `{ schema }` |
 * | `GET /connector/tools/{tool}/output-schema` | `GetToolOutputSchema` | internal | 200 `{ schema }` |
 *
 * Only the success response carries a schema (rulebook H-35); errors are described, never typed (H-36). The session
 * header, the tool-call headers, the 202 answer and the errors are document-level `parameters`/`responses`, referenced.
 */

import type { CatalogTool } from '../catalog/types.js'
import { buildInputSchema, buildOutputSchema, freeFormOutputSchema, hasInputFields, type ToolSchemaBuild } from './tool-schemas.js'
import { escapeNonAscii, humanize, toOperationSummary, toSentence } from './text-rules.js'
import type { NonBodyParameter, Swagger2Operation, Swagger2PathItem, Swagger2Ref, Swagger2Response, Swagger2Schema } from './types.js'

/** Operation ids of the fixed operations, in document order. */
export const FIXED_OPERATION_IDS = ['InvokeTool', 'CreateSession', 'EndSession', 'ListTools', 'GetToolInputSchema', 'GetToolOutputSchema'] as const

/** Header that carries the caller's session between calls. */
export const SESSION_HEADER = 'X-Session-Id'

/**
 * Error responses, shared at document level (`#/responses/{name}`, rulebook H-37) so each operation carries a
 * short reference instead of the text. Descriptions name the problem `code` values each status can carry; error
 * responses are described, never typed (H-35: only the success response has a schema).
 */
const ERRORS: Record<string, { name: string; description: string }> = {
  '400': { name: 'BadRequest', description: 'Bad request (codes invalid_arguments, invalid_answer, invalid_json, invalid_header): the arguments or the answer do not match their schema (errors lists each failing field as a JSON pointer), the body is not JSON, or a header value is not acceptable.' },
  '401': { name: 'Unauthorized', description: 'Unauthorized (codes unauthorized, vendor_unauthorized): the credentials are missing or invalid, or the MCP server rejected them.' },
  '403': { name: 'Forbidden', description: 'Forbidden (code vendor_forbidden): the MCP server refused access.' },
  '404': { name: 'NotFound', description: 'Not found (codes tool_not_found, session_not_found, job_not_found): the tool does not exist, or the session or job is unknown, expired or belongs to another caller.' },
  '409': { name: 'Conflict', description: 'Conflict (codes question_not_pending, job_cancelled, job_finished): the question was answered already or expired, or the job was cancelled or has finished.' },
  '413': { name: 'PayloadTooLarge', description: 'Payload too large (code payload_too_large).' },
  '415': { name: 'UnsupportedMediaType', description: 'Unsupported media type (code unsupported_media_type): send application/json.' },
  '422': { name: 'ToolError', description: 'The tool reported an error (code tool_error); the problem carries text and content.' },
  '429': {
    name: 'TooManyRequests',
    description:
      'Too many requests (codes rate_limited, too_many_requests, too_many_sessions, vendor_rate_limited): a limit of this service for the caller or the server was reached (RateLimit-Policy and RateLimit name it), or the MCP server refused the call without running it; send it again after Retry-After seconds.',
  },
  '502': { name: 'BadGateway', description: 'Bad gateway (codes vendor_unavailable, vendor_interrupted, vendor_error, vendor_bad_response, vendor_bad_output): the MCP server failed, answered with an error, or returned an invalid result.' },
  '503': { name: 'ServiceUnavailable', description: 'Service unavailable (codes not_ready, shutting_down, store_unavailable, vendor_busy): the tool catalog is not loaded yet, the service is shutting down, the session store cannot be reached, or the MCP server refused the call without running it; send it again after Retry-After seconds.' },
  '504': { name: 'GatewayTimeout', description: 'Gateway timeout (code vendor_timeout): the MCP server did not answer in time.' },
}

const TOOL_ERRORS = ['400', '401', '403', '404', '413', '415', '429', '502', '503', '504']

/** Statuses whose answer carries Retry-After. */
const RETRY_AFTER_STATUSES = new Set(['429', '503'])
const RETRY_AFTER_HEADER = { 'Retry-After': { type: 'integer', description: 'Seconds to wait before sending again.' } }
const RATE_LIMIT_HEADERS = {
  ...RETRY_AFTER_HEADER,
  'RateLimit-Policy': { type: 'string', description: 'The limit that was reached (IETF draft RateLimit header fields).' },
  RateLimit: { type: 'string', description: 'What is left of that limit and when it resets, in seconds.' },
}

function errors(codes: readonly string[]): Record<string, Swagger2Ref> {
  return Object.fromEntries(codes.map((c) => [c, { $ref: `#/responses/${ERRORS[c]!.name}` }]))
}

/** Document-level `responses`: the errors and the 202 answer every tool operation references. */
export function sharedResponses(): Record<string, Swagger2Response> {
  return {
    Accepted: ACCEPTED,
    ...Object.fromEntries(Object.entries(ERRORS).map(([status, e]) => [e.name, RETRY_AFTER_STATUSES.has(status) ? { description: e.description, headers: status === '429' ? RATE_LIMIT_HEADERS : RETRY_AFTER_HEADER } : { description: e.description }])),
  }
}

/** Document-level `parameters`: the session header and the given tool-call headers. */
export function sharedParameters(toolParameters: Record<string, NonBodyParameter> = {}): Record<string, NonBodyParameter> {
  return { SessionId: sessionHeader(), ...toolParameters }
}

const ACCEPTED: Swagger2Response = {
  description: 'Accepted; poll the Location header until the result is ready.',
  headers: {
    Location: { type: 'string', description: 'Absolute URL to poll for the result.' },
    'Retry-After': { type: 'integer', description: 'Seconds to wait before polling again.' },
  },
}

/** How a tool call operation is completed: shared parameters to reference, and whether 422 is possible. */
export interface ToolCallShape {
  parameters: readonly string[]
  toolErrorProblems: boolean
}

const DEFAULT_SHAPE: ToolCallShape = { parameters: [], toolErrorProblems: false }

function callParameters(shape: ToolCallShape): Swagger2Ref[] {
  return ['SessionId', ...shape.parameters].map((name) => ({ $ref: `#/parameters/${name}` }))
}

function callErrors(shape: ToolCallShape): Record<string, Swagger2Ref> {
  return errors(shape.toolErrorProblems ? [...TOOL_ERRORS, '422'].sort() : TOOL_ERRORS)
}

function sessionHeader(): NonBodyParameter {
  return {
    name: SESSION_HEADER,
    in: 'header',
    type: 'string',
    required: false,
    'x-ms-summary': 'Session ID',
    'x-ms-visibility': 'advanced',
    description:
      'Pass the sessionId returned by CreateSession or by a previous call to keep vendor-side state; pass new to open a new session.',
  }
}

/** The Idempotency-Key header of the generic operation (every tool call accepts it). */
function idempotencyHeader(): NonBodyParameter {
  return {
    name: 'Idempotency-Key',
    in: 'header',
    type: 'string',
    required: false,
    'x-ms-summary': 'Idempotency key',
    'x-ms-visibility': 'advanced',
    description: 'A unique value per intended call (for example the run id and a step name). A retry with the same value gets the first answer instead of running the tool again.',
  }
}

function pathParameter(name: string, summary: string, description: string): NonBodyParameter {
  return { name, in: 'path', required: true, type: 'string', 'x-ms-url-encoding': 'single', 'x-ms-summary': summary, description }
}

function property(type: 'string' | 'boolean', summary: string, description: string, format?: string): Swagger2Schema {
  return { type, ...(format ? { format } : {}), 'x-ms-summary': summary, description }
}

/** A typed tool operation with the schema builds it used (for the report). */
export interface ToolOperation {
  path: string
  item: Swagger2PathItem
  input: ToolSchemaBuild
  output: ToolSchemaBuild
}

/** Operation summary of a tool: its title, annotation title or humanized name (rulebook C-06). */
export function toolSummary(tool: CatalogTool): string {
  return toOperationSummary(tool.title ?? tool.annotations?.title, humanize(tool.name) || tool.operationId)
}

/** Operation description of a tool: its description as sentences, or a generated one (rulebook C-07). */
export function toolDescription(tool: CatalogTool): string {
  return toSentence(tool.description, `Calls the MCP tool "${escapeNonAscii(tool.name)}".`)
}

const TOOL_RESULT = 'The tool result.'

/** The 200 response of a tool without an output schema. */
export function freeFormToolResult(): Swagger2Response {
  return { description: TOOL_RESULT, schema: freeFormOutputSchema() }
}

/** `POST /tools/{slug}` for one typed tool. */
export function toolOperation(tool: CatalogTool, shape: ToolCallShape = DEFAULT_SHAPE): ToolOperation {
  const input = buildInputSchema(tool)
  const output = buildOutputSchema(tool)
  const parameters: Swagger2Operation['parameters'] = []
  if (hasInputFields(input.schema)) {
    parameters.push({
      name: 'body',
      in: 'body',
      required: (input.schema.required?.length ?? 0) > 0,
      'x-ms-summary': 'Input',
      description: 'The arguments of the tool.',
      schema: input.schema,
    })
  }
  parameters.push(...callParameters(shape))
  const operation: Swagger2Operation = {
    summary: toolSummary(tool),
    description: toolDescription(tool),
    operationId: tool.operationId,
    'x-ms-visibility': 'important',
    parameters,
    responses: { '200': { description: TOOL_RESULT, schema: output.schema }, '202': { $ref: '#/responses/Accepted' }, ...callErrors(shape) },
    'x-mcp-tool': tool.name,
  }
  return { path: `/tools/${tool.slug}`, item: { post: operation }, input, output }
}

const TOOL_PARAMETER = 'tool'

/** The six fixed operations, keyed by path, in document order. */
export function fixedOperations(shape: ToolCallShape = DEFAULT_SHAPE): Record<string, Swagger2PathItem> {
  const toolParam = (description: string) => pathParameter(TOOL_PARAMETER, 'Tool', description)
  const schemaResponse = (description: string): Swagger2Response => ({
    description: 'The schema.',
    schema: {
      type: 'object',
      properties: { schema: { type: 'object', 'x-ms-summary': 'Schema', description } },
      required: ['schema'],
    },
  })
  return {
    '/invoke/{tool}': {
      post: {
        summary: 'Call a tool',
        description:
          'Calls any tool of the MCP server by name, including tools added after the connector was imported; the inputs and outputs follow the selected tool.',
        operationId: 'InvokeTool',
        'x-ms-visibility': 'advanced',
        parameters: [
          {
            ...toolParam('The tool to call.'),
            'x-ms-dynamic-values': { operationId: 'ListTools', 'value-collection': 'tools', 'value-path': 'name', 'value-title': 'title' },
            'x-ms-dynamic-list': { operationId: 'ListTools', itemsPath: 'tools', itemValuePath: 'name', itemTitlePath: 'title' },
          },
          {
            name: 'body',
            in: 'body',
            required: true,
            'x-ms-summary': 'Input',
            description: 'The arguments of the selected tool.',
            schema: {
              type: 'object',
              description: 'The arguments of the selected tool.',
              'x-ms-dynamic-schema': { operationId: 'GetToolInputSchema', parameters: { tool: { parameter: TOOL_PARAMETER } }, 'value-path': 'schema' },
              'x-ms-dynamic-properties': {
                operationId: 'GetToolInputSchema',
                parameters: { tool: { parameterReference: TOOL_PARAMETER } },
                itemValuePath: 'schema',
              },
            },
          },
          ...callParameters(shape),
          idempotencyHeader(),
        ],
        responses: {
          '200': {
            description: 'The tool result.',
            schema: {
              type: 'object',
              description: 'The tool result; its fields follow the selected tool.',
              'x-ms-dynamic-schema': { operationId: 'GetToolOutputSchema', parameters: { tool: { parameter: TOOL_PARAMETER } }, 'value-path': 'schema' },
              'x-ms-dynamic-properties': {
                operationId: 'GetToolOutputSchema',
                parameters: { tool: { parameterReference: TOOL_PARAMETER } },
                itemValuePath: 'schema',
              },
            },
          },
          '202': { $ref: '#/responses/Accepted' },
          ...callErrors(shape),
        },
      },
    },
    '/sessions': {
      post: {
        summary: 'Create session',
        description: 'Opens a session with the MCP server and returns its ID; pass it in X-Session-Id to keep vendor-side state across calls.',
        operationId: 'CreateSession',
        'x-ms-visibility': 'advanced',
        responses: {
          '201': {
            description: 'The session was created.',
            schema: {
              type: 'object',
              properties: {
                sessionId: property('string', 'Session ID', 'Session ID to pass in X-Session-Id.'),
                expiresAt: property('string', 'Expires At', 'When the session expires if it stays idle.', 'date-time'),
              },
              required: ['sessionId'],
            },
          },
          ...errors(['401', '403', '429', '502', '503', '504']),
        },
      },
    },
    '/sessions/{sessionId}': {
      delete: {
        summary: 'End session',
        description: 'Ends a session and releases its vendor-side state.',
        operationId: 'EndSession',
        'x-ms-visibility': 'advanced',
        parameters: [pathParameter('sessionId', 'Session ID', 'The session to end.')],
        responses: { '204': { description: 'The session was ended.' }, ...errors(['400', '401', '404', '503']) },
      },
    },
    '/connector/tools': {
      get: {
        summary: 'List tools',
        description: 'Lists every tool the MCP server exposes, for the tool picker of Call a tool.',
        operationId: 'ListTools',
        'x-ms-visibility': 'internal',
        responses: {
          '200': {
            description: 'The tools.',
            schema: {
              type: 'object',
              properties: {
                tools: {
                  type: 'array',
                  'x-ms-summary': 'Tools',
                  description: 'The callable tools.',
                  items: {
                    type: 'object',
                    properties: {
                      name: property('string', 'Name', 'Tool identifier to pass as the tool parameter.'),
                      title: property('string', 'Title', 'Display name of the tool.'),
                    },
                    required: ['name', 'title'],
                  },
                },
              },
              required: ['tools'],
            },
          },
          ...errors(['401', '403', '502', '503', '504']),
        },
      },
    },
    '/connector/tools/{tool}/input-schema': {
      get: {
        summary: 'Get tool input schema',
        description: 'Returns the input schema of a tool as a Swagger 2.0 schema object.',
        operationId: 'GetToolInputSchema',
        'x-ms-visibility': 'internal',
        parameters: [toolParam('The tool whose input schema is returned.')],
        responses: { '200': schemaResponse('Swagger 2.0 schema of the tool input.'), ...errors(['401', '404', '503']) },
      },
    },
    '/connector/tools/{tool}/output-schema': {
      get: {
        summary: 'Get tool output schema',
        description: 'Returns the response schema of a tool as a Swagger 2.0 schema object.',
        operationId: 'GetToolOutputSchema',
        'x-ms-visibility': 'internal',
        parameters: [toolParam('The tool whose output schema is returned.')],
        responses: { '200': schemaResponse('Swagger 2.0 schema of the tool response.'), ...errors(['401', '404', '503']) },
      },
    },
  }
}

/** The name of the document-level error response of a status (`401` → `Unauthorized`). */
export function errorResponseName(status: string): string | undefined {
  return ERRORS[status]?.name
}
