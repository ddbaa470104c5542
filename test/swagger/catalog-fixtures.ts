/**
 * Synthetic catalogs for the Swagger emitter tests: a demo-like vendor, a vendor with awkward real-world schemas,
 * and a vendor with hundreds of tools. Slugs and operation ids come from the real `nameTools`.
 */

import { nameTools } from '../../src/catalog/naming.js'
import type { Catalog, CatalogTool, JsonSchema } from '../../src/catalog/types.js'

/** A tool as a vendor lists it (names are filled in by {@link makeCatalog}). */
export type ToolSpec = Omit<CatalogTool, 'slug' | 'operationId' | 'typed'> & { typed?: boolean }

/** Builds a catalog, naming the tools with `nameTools` exactly like the catalog loader does. */
export function makeCatalog(specs: ToolSpec[], server: Catalog['server'] = { name: 'demo-vendor', title: 'Demo Vendor', version: '2.1.0' }): Catalog {
  const names = nameTools(specs.map((s) => s.name))
  return {
    version: 1,
    etag: 'test',
    loadedAt: '2025-01-01T00:00:00.000Z',
    server,
    tools: specs.map((s) => ({ ...s, ...names.get(s.name)!, typed: s.typed ?? true })),
    excluded: [],
    resources: [],
    resourceTemplates: [],
    prompts: [],
  }
}

/** Options that satisfy every certification rule. */
export const CERTIFIABLE_OPTIONS = {
  publicUrl: 'https://facade.example.com/crm',
  title: 'Demo Vendor',
  description: 'Typed actions for the tools of the Demo Vendor MCP server, with sessions kept by the facade.',
  version: '1.2.3',
  contact: { name: 'Support', url: 'https://example.com/support', email: 'support@example.com' },
  connectorMetadata: { website: 'https://example.com', privacyPolicy: 'https://example.com/privacy', categories: ['AI', 'Productivity'] },
  inboundAuth: { mode: 'apiKey' as const, header: 'X-API-Key' },
}

const address: JsonSchema = {
  type: 'object',
  properties: {
    street: { type: 'string', description: 'Street and number' },
    city: { type: 'string' },
    country: { type: 'string', enum: ['DE', 'FR', 'US'], default: 'US' },
  },
  required: ['city'],
}

/** (a) A demo-like vendor: structured output, enums, nested objects, arrays, `$ref`. */
export function demoCatalog(): Catalog {
  return makeCatalog([
    {
      name: 'get_weather',
      title: 'Get Weather Forecast',
      description: 'Returns the forecast for a city',
      inputSchema: {
        type: 'object',
        properties: {
          city: { type: 'string', description: 'City name' },
          units: { type: 'string', enum: ['metric', 'imperial'], default: 'metric' },
          days: { type: 'integer', minimum: 1, maximum: 14 },
        },
        required: ['city'],
      },
      outputSchema: {
        type: 'object',
        properties: {
          city: { type: 'string' },
          days: {
            type: 'array',
            items: {
              type: 'object',
              properties: { date: { type: 'string', format: 'date' }, high: { type: 'number' }, low: { type: 'number' } },
              required: ['date'],
            },
          },
        },
        required: ['city', 'days'],
      },
      annotations: { readOnlyHint: true },
    },
    {
      name: 'create_contact',
      description: 'Creates a contact in the CRM. Use it from Power Automate flows.',
      inputSchema: {
        type: 'object',
        $defs: { Address: address },
        properties: {
          name: { type: 'string', minLength: 1, maxLength: 200 },
          email: { type: 'string', format: 'email' },
          tags: { type: 'array', items: { type: 'string' }, uniqueItems: true },
          home: { $ref: '#/$defs/Address' },
          work: { $ref: '#/$defs/Address', description: 'Office address' },
        },
        required: ['name'],
      },
      outputSchema: { type: 'object', properties: { id: { type: 'string', format: 'uuid' }, created: { type: 'boolean' } }, required: ['id'] },
    },
    {
      name: 'list_contacts',
      annotations: { title: 'List contacts', readOnlyHint: true },
      inputSchema: { type: 'object', properties: { limit: { type: 'integer', default: 20 } } },
      outputSchema: { type: 'array', items: { type: 'object', properties: { id: { type: 'string' }, name: { type: 'string' } } } },
    },
    { name: 'ping', description: 'Checks that the server is alive.', inputSchema: { type: 'object' } },
    { name: 'count', description: 'Counts things.', inputSchema: { type: 'object', properties: {} }, outputSchema: { type: 'integer' } },
  ])
}

/** (b) Awkward real-world schemas and names. */
export function awkwardCatalog(): Catalog {
  const tree: JsonSchema = {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'https://vendor.example.com/schemas/tree',
    type: 'object',
    $defs: {
      Node: {
        type: 'object',
        properties: { label: { type: 'string' }, children: { type: 'array', items: { $ref: '#/$defs/Node' } } },
        required: ['label'],
      },
      'a/b': { type: 'string', format: 'hostname' },
      'til~de': { type: 'integer', exclusiveMinimum: 0 },
    },
    properties: {
      root: { $ref: '#/$defs/Node' },
      host: { $ref: '#/$defs/a~1b' },
      count: { $ref: '#/$defs/til~0de' },
      pct: { $ref: '#/%24defs/til~0de' },
      self: { $ref: '#' },
    },
  }
  return makeCatalog(
    [
      {
        name: 'crm/contacts.search',
        description: 'Searches contacts. Works with Power Apps and Logic Apps!',
        inputSchema: {
          type: 'object',
          properties: {
            'filter.name': { type: ['string', 'null'], description: 'Name filter' },
            '@odata.top': { type: 'integer', exclusiveMinimum: 0, exclusiveMaximum: 1000 },
            'first name': { type: 'string' },
            'ville/région': { type: 'string', format: 'idn-hostname' },
            'key:value': { type: 'string', format: 'url' },
            mode: { const: 'fast' },
            sort: { anyOf: [{ type: 'string', enum: ['asc', 'desc'] }, { type: 'null' }] },
            when: { oneOf: [{ type: 'string', format: 'date-time' }, { type: 'integer' }] },
            ratio: { anyOf: [{ type: 'integer' }, { type: 'number' }] },
            point: { type: 'array', prefixItems: [{ type: 'number' }, { type: 'number' }] },
            bag: { type: 'array' },
            ids: { oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] },
            anything: {},
            shape: {
              oneOf: [
                { type: 'object', properties: { kind: { const: 'circle' }, r: { type: 'number' } }, required: ['kind', 'r'] },
                { type: 'object', properties: { kind: { const: 'square' }, side: { type: 'number' } }, required: ['kind', 'side'] },
              ],
            },
            either: { anyOf: [{ type: 'string' }, { type: 'object', properties: { x: { type: 'integer' } } }] },
            meta: { type: 'object', patternProperties: { '^x-': { type: 'string' } }, additionalProperties: false, propertyNames: { pattern: '^[a-z]+$' } },
            flags: { type: 'object', additionalProperties: { type: 'boolean' } },
            combo: {
              allOf: [
                { type: 'object', properties: { a: { type: 'string' } }, required: ['a'] },
                { type: 'object', properties: { b: { type: 'integer' } }, required: ['b'] },
              ],
            },
            old: { type: 'string', deprecated: true, examples: ['x', 'y'] },
            cond: { type: 'object', if: { properties: { a: { const: 1 } } }, then: { required: ['b'] } },
          },
          required: ['filter.name', 'missing'],
        },
        outputSchema: {
          type: 'object',
          properties: {
            '@odata.count': { type: 'integer' },
            value: { type: 'array', items: { type: 'object', properties: { 'e-mail': { type: 'string' }, 'mail.address': { type: 'string' } } } },
          },
        },
      },
      { name: 'tree.walk', title: 'Walk a tree / graph?', inputSchema: tree, outputSchema: tree },
      { name: 'ListTools', description: 'A vendor tool that collides with a reserved operation id.', inputSchema: { type: 'object', properties: { q: { type: 'string' } } } },
      { name: 'café_crème', description: 'Orders a café crème ☕.', inputSchema: { type: 'object', properties: { size: { type: 'string', enum: ['S', 'M', 'L'] } } } },
      { name: '日本語ツール', inputSchema: { type: 'object', properties: { テキスト: { type: 'string' } } } },
      { name: 'hidden_tool', typed: false, inputSchema: { type: 'object', properties: { x: { type: 'string' } } } },
      { name: 'no_type_root', inputSchema: { description: 'Anything goes' } as JsonSchema },
      { name: 'union_out', inputSchema: { type: 'object' }, outputSchema: { anyOf: [{ type: 'string' }, { type: 'object' }] } },
    ],
    { name: 'awkward-vendor', version: '0.0.1', instructions: 'Use this API from Power Automate.' },
  )
}

/** (c) A vendor with `count` tools (default 400), each with a small schema. */
export function bigCatalog(count = 400): Catalog {
  const specs: ToolSpec[] = []
  for (let i = 0; i < count; i++) {
    const n = String(i).padStart(3, '0')
    specs.push({
      name: `tool_${n}`,
      description: `Runs operation number ${n}.`,
      inputSchema: {
        type: 'object',
        properties: { id: { type: 'string', description: 'Record id' }, amount: { type: 'number', minimum: 0 }, note: { type: 'string' } },
        required: ['id'],
      },
      outputSchema: { type: 'object', properties: { ok: { type: 'boolean' }, message: { type: 'string' } } },
    })
  }
  return makeCatalog(specs, { name: 'big-vendor', version: '3.0.0' })
}

/**
 * A vendor shaped like `@azure/mcp --mode all` (npm packages of real servers cannot be fetched at test time):
 * 235 tools across 40 service areas, each input carrying the shared options (subscription, tenant, auth method,
 * retry policy) with long descriptions plus a few of its own; 37 tools declare an output schema of their own,
 * the other 198 answer the free-form envelope.
 */
export function azureLikeCatalog(): Catalog {
  const areas = Array.from({ length: 40 }, (_, i) => `service${String(i).padStart(2, '0')}`)
  const verbs = ['list', 'get', 'create', 'update', 'delete', 'query']
  const option = (text: string, extra: JsonSchema = {}): JsonSchema => ({ type: 'string', description: text, ...extra })
  const shared: Record<string, JsonSchema> = {
    subscription: option('Specifies the Azure subscription to use. Accepts either a subscription ID (GUID) or display name. If not specified, the AZURE_SUBSCRIPTION_ID environment variable will be used instead.'),
    tenant: option('The Microsoft Entra ID tenant ID or name. This can be either the GUID identifier or the display name of your Entra ID tenant.'),
    'auth-method': option('Authentication method to use. Options: credential (Azure CLI/managed identity), key (access key), or connectionString.', { enum: ['credential', 'key', 'connectionString'] }),
    'retry-delay': { type: 'number', description: 'Initial delay in seconds between retry attempts. For exponential backoff, this value is used as the base.' },
    'retry-max-delay': { type: 'number', description: 'Maximum delay in seconds between retries, regardless of the retry strategy.' },
    'retry-max-retries': { type: 'integer', description: 'Maximum number of retry attempts for failed operations before giving up.' },
    'retry-mode': option('Retry strategy to use. fixed uses consistent delays, exponential increases delay between attempts.', { enum: ['fixed', 'exponential'] }),
    'retry-network-timeout': { type: 'number', description: 'Network operation timeout in seconds. Operations taking longer than this will be cancelled.' },
  }
  const specs: ToolSpec[] = []
  let n = 0
  for (const area of areas) {
    for (const verb of verbs) {
      if (specs.length === 235) break
      const own: Record<string, JsonSchema> = {
        'resource-group': option(`The name of the Azure resource group that contains the ${area} resources. This is a logical container for Azure resources.`),
        [`${area}-name`]: option(`The name of the ${area} resource to ${verb}. Must be unique within the resource group and follow the naming rules of the service.`),
        filter: option(`An optional OData filter expression that narrows the ${area} items returned, for example by tag, location or provisioning state.`),
      }
      const withOutput = n % 6 === 0 && n / 6 < 37
      specs.push({
        name: `azmcp_${area}_${verb}`,
        description: `${verb[0]!.toUpperCase()}${verb.slice(1)} ${area} resources in an Azure subscription. Returns the details of each resource, including its name, location, SKU, provisioning state and tags. Use this tool when the user asks about ${area} resources; it requires a subscription and honours the retry options.`,
        inputSchema: { type: 'object', properties: { ...own, ...shared }, required: ['subscription', `${area}-name`] },
        ...(withOutput
          ? {
              outputSchema: {
                type: 'object',
                properties: {
                  [`${area}_${verb}_items`]: { type: 'array', items: { type: 'object', properties: { id: { type: 'string' }, name: { type: 'string' }, location: { type: 'string' }, sku: { type: 'string' }, state: { type: 'string' } } } },
                  nextLink: { type: 'string', description: 'Link to the next page of results.' },
                },
              },
            }
          : {}),
      })
      n++
    }
  }
  return makeCatalog(specs, { name: 'Azure MCP Server', version: '0.5.0' })
}
