/**
 * @module swagger/tool-schemas
 * The two Swagger schemas each tool gets in the connector, computed identically for the typed operation
 * (`POST /tools/{slug}`) and for the dynamic-schema endpoints behind `InvokeTool`:
 * - input: the down-converted `inputSchema`, always `type: object`;
 * - output: the response envelope `{ isError, text, data?, content, sessionId?, sessionRenewed? }` whose `data` is
 *   typed from `outputSchema` with the runtime's wrapping rule (an object stays as is; an array becomes
 *   `{ items: [...] }`; a single value becomes `{ value: x }`).
 * Both are kept within 512 schemas per body (rulebook H-12) by lowering the expansion depth until they fit.
 */

import type { Catalog, CatalogTool } from '../catalog/types.js'
import { DEFAULT_MAX_DEPTH, downlevelSchema, type DownlevelResult } from './schema-downlevel.js'
import { countSchemas, MAX_SCHEMAS_PER_BODY } from './schema-count.js'
import { toSentence } from './text-rules.js'
import type { Swagger2Schema } from './types.js'

/** A tool schema with the notes of its down-conversion. */
export interface ToolSchemaBuild {
  schema: Swagger2Schema
  notes: string[]
  schemaCount: number
}

/** Body of `GET /connector/tools/{tool}/input-schema` and `GET /connector/tools/{tool}/output-schema`. */
export interface ConnectorSchemaResponse {
  schema: Swagger2Schema
}

/** Body of `GET /connector/tools` (`ListTools`). */
export interface ConnectorToolList {
  tools: { name: string; title: string }[]
}

/**
 * Exactly what `GET /connector/tools/{tool}/input-schema` returns: `{ schema }` where `schema` is the tool's input
 * as a Swagger 2.0 object schema (the same schema as the typed operation's body).
 */
export function connectorInputSchema(tool: CatalogTool): ConnectorSchemaResponse {
  return { schema: buildInputSchema(tool).schema }
}

/**
 * Exactly what `GET /connector/tools/{tool}/output-schema` returns: `{ schema }` where `schema` is the response
 * envelope for that tool (the same schema as the typed operation's 200 response).
 */
export function connectorOutputSchema(tool: CatalogTool): ConnectorSchemaResponse {
  return { schema: buildOutputSchema(tool).schema }
}

/**
 * Exactly what `GET /connector/tools` returns: every callable tool (typed or not), in name order. `name` is the
 * tool's slug, the value the `{tool}` path parameters take; `title` is the display name.
 */
export function connectorToolList(catalog: Catalog): ConnectorToolList {
  const tools = [...catalog.tools].sort((a, b) => compare(a.name, b.name))
  return { tools: tools.map((t) => ({ name: t.slug, title: t.title ?? t.annotations?.title ?? t.name })) }
}

/** Code-unit order, the same order `nameTools` uses. */
export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/** The input schema of a tool (always an object) with its conversion notes. */
export function buildInputSchema(tool: CatalogTool): ToolSchemaBuild {
  const notes: string[] = []
  const schema = fit(notes, (maxDepth) => {
    const result = downlevelSchema(tool.inputSchema, { direction: 'input', maxDepth })
    if (result.schema.type === 'object') {
      delete result.schema['x-nullable']
      return result
    }
    // MCP requires an object input; anything else is accepted as free-form JSON and validated by the vendor schema
    const description = toSentence(
      typeof tool.inputSchema.description === 'string' ? tool.inputSchema.description : undefined,
      'The tool arguments as a JSON object.',
    )
    // additionalProperties: true keeps the body parameter, so callers can still send the arguments as one JSON object
    return {
      schema: { type: 'object', description, additionalProperties: true },
      notes: [...result.notes, '/: a non-object input became a free-form object'],
      schemaCount: 1,
    }
  })
  return { schema, notes, schemaCount: countSchemas(schema) }
}

/** The response envelope of a tool with the notes of its `data` conversion. */
export function buildOutputSchema(tool: CatalogTool): ToolSchemaBuild {
  const notes: string[] = []
  const output = tool.outputSchema
  const schema = fit(notes, (maxDepth) => {
    if (!output) return withCount(freeFormOutputSchema(), [])
    const direct = downlevelSchema(output, { direction: 'output', maxDepth, startDepth: 1 })
    const type = direct.schema.type
    if (type === 'object') return withCount(envelope(objectData(direct.schema)), direct.notes)
    if (type === 'array') {
      const nested = downlevelSchema(output, { direction: 'output', maxDepth, startDepth: 2 })
      return withCount(envelope(wrappedData('items', 'Items', 'The list returned by the tool.', nested.schema)), nested.notes)
    }
    if (type !== undefined) {
      return withCount(envelope(wrappedData('value', 'Value', 'The value returned by the tool.', direct.schema)), direct.notes)
    }
    return withCount(envelope(freeFormData()), [...direct.notes, '/: an output schema without a single type became free-form data'])
  })
  return { schema, notes, schemaCount: countSchemas(schema) }
}

function withCount(schema: Swagger2Schema, notes: string[]): DownlevelResult {
  return { schema, notes, schemaCount: countSchemas(schema) }
}

/**
 * Builds with the default depth and lowers it until the body fits in 512 schemas; depth 0 always fits (the root
 * becomes free-form). The notes of the build that was kept are appended to `notes`.
 */
function fit(notes: string[], build: (maxDepth: number) => DownlevelResult): Swagger2Schema {
  for (let depth = DEFAULT_MAX_DEPTH; ; depth--) {
    const result = build(depth)
    if (result.schemaCount <= MAX_SCHEMAS_PER_BODY || depth <= 0) {
      notes.push(...result.notes.filter((n) => !n.includes('exceed the limit')))
      if (depth < DEFAULT_MAX_DEPTH) {
        notes.push(`/: expansion depth lowered to ${depth} to stay within ${MAX_SCHEMAS_PER_BODY} schemas per body`)
      }
      return result.schema
    }
  }
}

const DATA_DESCRIPTION = 'Structured result of the tool (its structuredContent).'

function objectData(schema: Swagger2Schema): Swagger2Schema {
  const { type: _type, 'x-ms-summary': _summary, description, 'x-nullable': _nullable, ...rest } = schema
  return { type: 'object', 'x-ms-summary': 'Data', description: description ?? DATA_DESCRIPTION, ...rest }
}

function wrappedData(key: 'items' | 'value', summary: string, fallback: string, inner: Swagger2Schema): Swagger2Schema {
  const { type, format, 'x-ms-summary': _summary, description, ...rest } = inner
  return {
    type: 'object',
    'x-ms-summary': 'Data',
    description: `${DATA_DESCRIPTION} The facade wraps it as {"${key}": ...} because connector outputs must be objects.`,
    properties: {
      [key]: { type, ...(format ? { format } : {}), 'x-ms-summary': summary, description: description ?? fallback, ...rest },
    },
    required: [key],
  }
}

/** The envelope of a tool without an output schema (the same for every such tool, so it is shared). */
export function freeFormOutputSchema(): Swagger2Schema {
  return envelope(freeFormData())
}

function freeFormData(): Swagger2Schema {
  return {
    type: 'object',
    'x-ms-summary': 'Data',
    description: `${DATA_DESCRIPTION} Arrays arrive as {"items": [...]}, single values as {"value": ...}.`,
  }
}

/** The 200 response envelope around a tool's `data` schema (see the module comment). */
function envelope(data: Swagger2Schema): Swagger2Schema {
  const text = (summary: string, description: string): Swagger2Schema => ({ type: 'string', 'x-ms-summary': summary, description })
  return {
    type: 'object',
    properties: {
      isError: {
        type: 'boolean',
        'x-ms-summary': 'Is Error',
        description: 'True when the tool reported an error; Text and Content then describe the error.',
      },
      text: text('Text', 'The text content items returned by the tool, joined with line breaks.'),
      data,
      content: {
        type: 'array',
        'x-ms-summary': 'Content',
        description: 'The content items returned by the tool, in order.',
        items: {
          type: 'object',
          properties: {
            type: text('Content Type', 'Kind of content item: text, image, audio, resource_link or resource.'),
            text: text('Content Text', 'Text of a text item, or of an embedded text resource.'),
            mimeType: text('MIME Type', 'Media type of an image, audio or resource item.'),
            data: { type: 'string', format: 'byte', 'x-ms-summary': 'Content Data', description: 'Base64 data of an image, audio or binary resource item.' },
            uri: text('URI', 'URI of a resource link or embedded resource.'),
            name: text('Name', 'Name of a resource link.'),
          },
        },
      },
      sessionId: text('Session ID', 'Session ID to pass back in X-Session-Id to keep the vendor-side state of this session.'),
      sessionRenewed: {
        type: 'boolean',
        'x-ms-summary': 'Session Renewed',
        description: 'True when the previous session had expired and the facade opened a new one for this call.',
      },
      ...interactionOutputs(),
    },
  }
}

/**
 * What an interactive call answers while the tool asks questions (`status` input_required): the job to answer,
 * where, and the questions with their Adaptive Cards. A flow branches on `status` and loops until `complete`.
 */
export function interactionOutputs(): Record<string, Swagger2Schema> {
  const text = (summary: string, description: string): Swagger2Schema => ({ type: 'string', 'x-ms-summary': summary, description })
  return {
    status: { type: 'string', 'x-ms-summary': 'Status', description: 'complete, or input_required: answer with AnswerJob.', enum: ['complete', 'input_required'] },
    jobId: text('Job ID', 'For AnswerJob.'),
    answerUrl: text('Answer URL', 'Where AnswerJob posts.'),
    question: {
      type: 'object',
      'x-ms-summary': 'Question',
      description: 'The pending question.',
      properties: {
        id: text('Question ID', 'For AnswerJob.'),
        message: text('Question', 'What the tool asks.'),
        url: text('Question URL', 'The page to open (url questions).'),
        adaptiveCard: { type: 'object', 'x-ms-summary': 'Adaptive Card', description: 'The question as an Adaptive Card.' },
      },
    },
    questions: { type: 'array', 'x-ms-summary': 'Questions', description: 'Every pending question.', items: { type: 'object' } },
  }
}

/** True when an input schema has something to send (properties, or explicitly allowed extra properties). */
export function hasInputFields(schema: Swagger2Schema): boolean {
  return Object.keys(schema.properties ?? {}).length > 0 || schema.additionalProperties === true || typeof schema.additionalProperties === 'object'
}
