/**
 * @module connector/prompt-operations
 * The vendor's prompts in the connector: one typed operation per prompt (`POST /prompts/{slug}`, the REST route,
 * its arguments as body fields), and, when the vendor offers completions, each argument's suggestions from
 * `CompletePromptArgument` (`GET /connector/completions`): the maker's dropdown lists what the vendor's
 * `completion/complete` suggests, with the values already entered in the other fields as the completion's context.
 *
 * `x-ms-dynamic-values` (v1) can only name literals and non-body parameters, so it sends the prompt and argument
 * names; its v2 twin `x-ms-dynamic-list` also passes the other fields (`parameterReference: "body/<field>"`) as
 * the `context.<field>` query parameters the completion operation declares. The answer is
 * `{ values: [{ value }] }`: the items must be objects for `value-path` to point at (the REST `POST /completions`
 * keeps MCP's shape, a list of strings).
 *
 * Only prompts whose argument names are plain identifiers become operations (a property name the designer would
 * have to rename could not be sent back under the vendor's name: prompt calls have no name mapping), at most
 * {@link MAX_PROMPT_OPERATIONS} of them in name order, and never one whose operationId a tool already has.
 */
import type { Catalog, CatalogPrompt } from '../catalog/types.js'
import { humanize, toOperationSummary, toSentence } from '../swagger/text-rules.js'
import type { NonBodyParameter, Swagger2PathItem, Swagger2Schema } from '../swagger/types.js'

/** Most prompt operations a connector gets: they count against the operation limit like fixed operations. */
export const MAX_PROMPT_OPERATIONS = 20

/** The completion operation's id in the connector. */
export const COMPLETE_PROMPT_ARGUMENT = 'CompletePromptArgument'

/** Where the connector's completion operation lives (a REST route, see http/routes/connector). */
export const CONNECTOR_COMPLETIONS_PATH = '/connector/completions'

/** Query parameters of the completion operation that carry the other arguments (`context.<name>`). */
export const CONTEXT_PREFIX = 'context.'

const PLAIN_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/

const ERROR_REFS = {
  '400': { $ref: '#/responses/BadRequest' },
  '401': { $ref: '#/responses/Unauthorized' },
  '404': { $ref: '#/responses/NotFound' },
  '429': { $ref: '#/responses/TooManyRequests' },
  '502': { $ref: '#/responses/BadGateway' },
  '503': { $ref: '#/responses/ServiceUnavailable' },
  '504': { $ref: '#/responses/GatewayTimeout' },
}

/** The prompts that become operations, in name order. */
export function typedPrompts(catalog: Catalog): CatalogPrompt[] {
  const toolIds = new Set(catalog.tools.map((t) => t.operationId.toLowerCase()))
  return [...catalog.prompts]
    .filter((p) => (p.arguments ?? []).every((a) => PLAIN_NAME.test(a.name)) && !toolIds.has(p.operationId.toLowerCase()))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .slice(0, MAX_PROMPT_OPERATIONS)
}

/** The prompt operations and, with completions, the completion operation they use. */
export function promptOperations(catalog: Catalog): Record<string, Swagger2PathItem> {
  const prompts = typedPrompts(catalog)
  if (!prompts.length) return {}
  const completions = !!catalog.server.supports?.completions
  const paths: Record<string, Swagger2PathItem> = {}
  for (const prompt of prompts) paths[`/prompts/${prompt.slug}`] = { post: promptOperation(prompt, completions) }
  if (completions) {
    const contextNames = [...new Set(prompts.flatMap((p) => (p.arguments ?? []).map((a) => a.name)))].sort()
    paths[CONNECTOR_COMPLETIONS_PATH] = { get: completionOperation(contextNames) }
  }
  return paths
}

function promptOperation(prompt: CatalogPrompt, completions: boolean): NonNullable<Swagger2PathItem['post']> {
  const args = prompt.arguments ?? []
  const label = prompt.title ?? humanize(prompt.name)
  const properties: Record<string, Swagger2Schema> = {}
  for (const arg of args) {
    properties[arg.name] = {
      type: 'string',
      'x-ms-summary': humanize(arg.name),
      description: toSentence(arg.description, `The ${humanize(arg.name).toLowerCase()} argument.`),
      ...(completions ? suggestions(prompt, arg.name, args.map((a) => a.name).filter((n) => n !== arg.name)) : {}),
    }
  }
  const required = args.filter((a) => a.required).map((a) => a.name)
  return {
    summary: toOperationSummary(`Prompt: ${label}`, `Prompt ${prompt.name}`),
    description: toSentence(prompt.description, `Renders the ${label} prompt.`),
    operationId: prompt.operationId,
    'x-ms-visibility': 'advanced',
    'x-mcp-prompt': prompt.name,
    parameters: [
      {
        name: 'body',
        in: 'body',
        required: required.length > 0,
        'x-ms-summary': 'Arguments',
        description: 'The arguments of the prompt.',
        schema: { type: 'object', properties, ...(required.length ? { required } : {}) },
      },
      { $ref: '#/parameters/SessionId' },
    ],
    responses: {
      '200': {
        description: 'The rendered prompt.',
        schema: {
          type: 'object',
          properties: {
            description: { type: 'string', 'x-ms-summary': 'Description', description: 'What the rendered prompt is for.' },
            messages: {
              type: 'array',
              'x-ms-summary': 'Messages',
              description: 'The messages of the prompt, in order.',
              items: {
                type: 'object',
                properties: {
                  role: { type: 'string', 'x-ms-summary': 'Role', description: 'user or assistant.' },
                  content: { type: 'object', 'x-ms-summary': 'Content', description: 'The content block (type, and text or data).' },
                },
              },
            },
          },
        },
      },
      ...ERROR_REFS,
    },
  } as NonNullable<Swagger2PathItem['post']>
}

/** The dynamic-values pair of one argument: the prompt and argument by name, the other fields as context (v2). */
function suggestions(prompt: CatalogPrompt, argument: string, others: string[]): Record<string, unknown> {
  const target = { operationId: COMPLETE_PROMPT_ARGUMENT }
  return {
    'x-ms-dynamic-values': { ...target, 'value-collection': 'values', 'value-path': 'value', 'value-title': 'value', parameters: { prompt: prompt.name, argument } },
    'x-ms-dynamic-list': {
      ...target,
      itemsPath: 'values',
      itemValuePath: 'value',
      itemTitlePath: 'value',
      parameters: {
        prompt: { value: prompt.name },
        argument: { value: argument },
        ...Object.fromEntries(others.map((name) => [`${CONTEXT_PREFIX}${name}`, { parameterReference: `body/${name}` }])),
      },
    },
  }
}

function completionOperation(contextNames: string[]): NonNullable<Swagger2PathItem['get']> {
  const query = (name: string, required: boolean, summary: string, description: string): NonBodyParameter => ({ name, in: 'query', required, type: 'string', 'x-ms-summary': summary, description })
  return {
    summary: 'Suggest values for a prompt argument',
    description: 'Lists the values the server suggests for an argument of a prompt, given the other arguments.',
    operationId: COMPLETE_PROMPT_ARGUMENT,
    'x-ms-visibility': 'internal',
    parameters: [
      query('prompt', true, 'Prompt', 'The prompt name.'),
      query('argument', true, 'Argument', 'The argument to suggest values for.'),
      query('value', false, 'Value', 'What was typed so far (empty: everything).'),
      ...contextNames.map((name) => query(`${CONTEXT_PREFIX}${name}`, false, humanize(name), `The value of the ${name} argument, if given.`)),
    ],
    responses: {
      '200': {
        description: 'The suggestions.',
        schema: {
          type: 'object',
          properties: {
            values: {
              type: 'array',
              'x-ms-summary': 'Values',
              description: 'The suggested values.',
              items: { type: 'object', properties: { value: { type: 'string', 'x-ms-summary': 'Value', description: 'A suggested value.' } } },
            },
          },
        },
      },
      ...ERROR_REFS,
    },
  } as NonNullable<Swagger2PathItem['get']>
}
