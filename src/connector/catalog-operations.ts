/**
 * @module connector/catalog-operations
 * The vendor's prompts and resource templates in the connector: one typed operation per prompt
 * (`POST /prompts/{slug}`, the REST route, its arguments as body fields) and per resource template
 * (`GET /resources/templates/{slug}/read`, its variables as query parameters), and, when the vendor offers
 * completions, suggestions for each argument and variable from `CompleteArgument` (`GET /connector/completions`):
 * the maker's dropdown lists what the vendor's `completion/complete` suggests, with the values already entered in
 * the other fields as the completion's context.
 *
 * `x-ms-dynamic-values` (v1) can only name literals and non-body parameters: for a prompt it sends the prompt and
 * argument names, and its v2 twin `x-ms-dynamic-list` also passes the other fields (`parameterReference:
 * "body/<field>"`); a template's variables are parameters, so both forms pass the other variables. They arrive as
 * the `context.<name>` query parameters the completion operation declares. The answer is `{ values: [{ value }] }`:
 * the items must be objects for `value-path` to point at (the REST `POST /completions` keeps MCP's shape, a list
 * of strings).
 *
 * Only prompts whose argument names are plain identifiers become operations (a property name the designer would
 * have to rename could not be sent back under the vendor's name: prompt calls have no name mapping), at most
 * {@link MAX_PROMPT_OPERATIONS} of them in name order (templates likewise, see catalog/resource-templates), and
 * never one whose operationId a tool already has.
 */
import { templateOperations, type TemplateOperation } from '../catalog/resource-templates.js'
import type { Catalog, CatalogPrompt } from '../catalog/types.js'
import { humanize, toOperationSummary, toSentence } from '../swagger/text-rules.js'
import type { NonBodyParameter, Swagger2PathItem, Swagger2Schema } from '../swagger/types.js'

/** Most prompt (and, apart, template) operations a connector gets: they count against the operation limit like fixed operations. */
export const MAX_PROMPT_OPERATIONS = 20

/** The completion operation's id in the connector. */
export const COMPLETE_ARGUMENT = 'CompleteArgument'

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

/** The templates that become operations, in name order. */
export function typedTemplates(catalog: Catalog): TemplateOperation[] {
  const toolIds = new Set(catalog.tools.map((t) => t.operationId.toLowerCase()))
  return templateOperations(catalog)
    .filter((t) => !toolIds.has(t.operationId.toLowerCase()))
    .sort((a, b) => (a.template.name < b.template.name ? -1 : a.template.name > b.template.name ? 1 : 0))
    .slice(0, MAX_PROMPT_OPERATIONS)
}

/** The prompt and template operations and, with completions, the completion operation they use. */
export function catalogOperations(catalog: Catalog): Record<string, Swagger2PathItem> {
  const prompts = typedPrompts(catalog)
  const templates = typedTemplates(catalog)
  const completions = !!catalog.server.supports?.completions
  const paths: Record<string, Swagger2PathItem> = {}
  for (const prompt of prompts) paths[`/prompts/${prompt.slug}`] = { post: promptOperation(prompt, completions) }
  for (const template of templates) paths[`/resources/templates/${template.slug}/read`] = { get: templateOperation(template, completions) }
  if (completions && (prompts.length || templates.length)) {
    const contextNames = [...new Set([...prompts.flatMap((p) => (p.arguments ?? []).map((a) => a.name)), ...templates.flatMap((t) => t.variables.map((v) => v.name))])].sort()
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
      ...(completions ? suggestions({ prompt: prompt.name }, arg.name, args.map((a) => a.name).filter((n) => n !== arg.name), 'body/') : {}),
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
            messages: listOf('Messages', 'The messages of the prompt, in order.', {
              role: { type: 'string', 'x-ms-summary': 'Role', description: 'user or assistant.' },
              content: { type: 'object', 'x-ms-summary': 'Content', description: 'The content block (type, and text or data).' },
            }),
          },
        },
      },
      ...ERROR_REFS,
    },
  } as NonNullable<Swagger2PathItem['post']>
}

function templateOperation({ template, operationId, variables }: TemplateOperation, completions: boolean): NonNullable<Swagger2PathItem['get']> {
  const label = template.title ?? humanize(template.name)
  const names = variables.map((v) => v.name)
  return {
    summary: toOperationSummary(`Read ${label}`, `Read ${template.name}`),
    description: toSentence(template.description, `Reads the ${label} resource.`),
    operationId,
    'x-ms-visibility': 'advanced',
    'x-mcp-resource-template': template.uriTemplate,
    parameters: [
      ...variables.map((v) => ({
        name: v.name,
        in: 'query',
        required: !v.optional,
        type: 'string',
        'x-ms-summary': humanize(v.name),
        description: `The ${humanize(v.name).toLowerCase()} of the resource.`,
        ...(completions ? suggestions({ template: template.uriTemplate }, v.name, names.filter((n) => n !== v.name), '') : {}),
      })),
      { $ref: '#/parameters/SessionId' },
    ],
    responses: {
      '200': {
        description: 'The contents of the resource.',
        schema: {
          type: 'object',
          properties: {
            contents: listOf('Contents', 'The contents of the resource.', {
              uri: { type: 'string', 'x-ms-summary': 'URI', description: 'The URI the contents belong to.' },
              mimeType: { type: 'string', 'x-ms-summary': 'MIME type', description: 'The type of the contents.' },
              text: { type: 'string', 'x-ms-summary': 'Text', description: 'The contents as text.' },
              blob: { type: 'string', format: 'byte', 'x-ms-summary': 'Blob', description: 'The contents as Base64, when binary.' },
            }),
          },
        },
      },
      ...ERROR_REFS,
    },
  } as NonNullable<Swagger2PathItem['get']>
}

/**
 * The dynamic-values pair of one argument: what is completed (a prompt or template, and the argument) by name, and
 * the other fields as context. `bodyPrefix` is `body/` for prompt arguments (body fields: the v2 form only), empty
 * for template variables (parameters: both forms).
 */
function suggestions(owner: { prompt: string } | { template: string }, argument: string, others: string[], bodyPrefix: string): Record<string, unknown> {
  const target = { operationId: COMPLETE_ARGUMENT }
  const [[ownerParam, ownerName]] = Object.entries(owner) as [[string, string]]
  const context = (ref: 'parameter' | 'parameterReference') => Object.fromEntries(others.map((name) => [`${CONTEXT_PREFIX}${name}`, { [ref]: `${bodyPrefix}${name}` }]))
  return {
    'x-ms-dynamic-values': {
      ...target,
      'value-collection': 'values',
      'value-path': 'value',
      'value-title': 'value',
      parameters: { [ownerParam]: ownerName, argument, ...(bodyPrefix ? {} : context('parameter')) },
    },
    'x-ms-dynamic-list': {
      ...target,
      itemsPath: 'values',
      itemValuePath: 'value',
      itemTitlePath: 'value',
      parameters: { [ownerParam]: { value: ownerName }, argument: { value: argument }, ...context('parameterReference') },
    },
  }
}

function completionOperation(contextNames: string[]): NonNullable<Swagger2PathItem['get']> {
  const query = (name: string, required: boolean, summary: string, description: string): NonBodyParameter => ({ name, in: 'query', required, type: 'string', 'x-ms-summary': summary, description })
  return {
    summary: 'Suggest values for an argument',
    description: 'Lists the values the server suggests for an argument of a prompt or a variable of a resource template, given the others.',
    operationId: COMPLETE_ARGUMENT,
    'x-ms-visibility': 'internal',
    parameters: [
      query('prompt', false, 'Prompt', 'The prompt name (or give template).'),
      query('template', false, 'Template', 'The resource template (its URI template).'),
      query('argument', true, 'Argument', 'The argument or variable to suggest values for.'),
      query('value', false, 'Value', 'What was typed so far (empty: everything).'),
      ...contextNames.map((name) => query(`${CONTEXT_PREFIX}${name}`, false, humanize(name), `The value of the ${name} argument, if given.`)),
    ],
    responses: {
      '200': {
        description: 'The suggestions.',
        schema: {
          type: 'object',
          properties: {
            values: listOf('Values', 'The suggested values.', { value: { type: 'string', 'x-ms-summary': 'Value', description: 'A suggested value.' } }),
          },
        },
      },
      ...ERROR_REFS,
    },
  } as NonNullable<Swagger2PathItem['get']>
}

/** An output that is a list of objects. */
function listOf(summary: string, description: string, properties: Record<string, Swagger2Schema>): Swagger2Schema {
  return { type: 'array', 'x-ms-summary': summary, description, items: { type: 'object', properties } }
}
