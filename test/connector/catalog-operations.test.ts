/**
 * The vendor's prompts and resource templates in the connector: typed operations whose arguments and variables get
 * `x-ms-dynamic-values` / `x-ms-dynamic-list` from `CompleteArgument` when the vendor offers completions. The document passes the
 * rulebook checker (certification mode) and swagger-parser; a real facade in front of a vendor with a completable
 * prompt argument answers the completion operation the way the dynamic-list mapping calls it.
 */
import SwaggerParser from '@apidevtools/swagger-parser'
import { Ajv2020 } from 'ajv/dist/2020.js'
import { describe, expect, it } from 'vitest'
import { namePrompts } from '../../src/catalog/naming.js'
import type { Catalog } from '../../src/catalog/types.js'
import { catalogOperations, COMPLETE_ARGUMENT, MAX_PROMPT_OPERATIONS } from '../../src/connector/catalog-operations.js'
import { checkConnectorDocument } from '../../src/swagger/checker.js'
import { emitSwagger2 } from '../../src/swagger/emit.js'
import { startFeatureVendor } from '../fixtures/feature-vendor.js'
import { CERTIFIABLE_OPTIONS, demoCatalog } from '../swagger/catalog-fixtures.js'
import { jsonOf } from '../support/facade.js'
import { vendorAndFacade } from '../support/vendor-facade.js'

type Doc = Record<string, any>

/** The demo catalog with prompts (names as the catalog loader gives them). */
function withPrompts(completions: boolean, prompts: { name: string; description?: string; arguments?: { name: string; description?: string; required?: boolean }[] }[], resourceTemplates: Catalog['resourceTemplates'] = []): Catalog {
  const catalog = demoCatalog()
  const names = namePrompts(prompts.map((p) => p.name))
  return { ...catalog, server: { ...catalog.server, supports: { completions } }, prompts: prompts.map((p) => ({ ...p, ...names.get(p.name)! })), resourceTemplates }
}

const FORECAST = { name: 'forecast', uriTemplate: 'weather://{country}/{city}{?days}', description: 'Forecast of a city' }

const TRIP = {
  name: 'plan_trip',
  description: 'Plans a trip to a city',
  arguments: [
    { name: 'country', description: 'Country to visit', required: true },
    { name: 'city', description: 'City in that country', required: true },
    { name: 'notes' },
  ],
}

function emit(catalog: Catalog): Doc {
  return emitSwagger2(catalog, { ...CERTIFIABLE_OPTIONS, extraOperations: catalogOperations(catalog) }).document as Doc
}

describe('prompt operations in the Swagger 2.0 document', () => {
  it('types each prompt and points every argument at CompletePromptArgument, the other fields as context', async () => {
    const doc = emit(withPrompts(true, [TRIP]))
    const op = doc.paths['/prompts/plan_trip'].post
    expect(op.operationId).toBe('PromptPlanTrip')
    const body = op.parameters[0]
    expect(body.required).toBe(true)
    expect(body.schema.required).toEqual(['country', 'city'])
    const city = body.schema.properties.city
    expect(city['x-ms-dynamic-values']).toEqual({
      operationId: COMPLETE_ARGUMENT,
      'value-collection': 'values',
      'value-path': 'value',
      'value-title': 'value',
      parameters: { prompt: 'plan_trip', argument: 'city' },
    })
    expect(city['x-ms-dynamic-list'].parameters).toEqual({
      prompt: { value: 'plan_trip' },
      argument: { value: 'city' },
      'context.country': { parameterReference: 'body/country' },
      'context.notes': { parameterReference: 'body/notes' },
    })
    const complete = doc.paths['/connector/completions'].get
    expect(complete.operationId).toBe(COMPLETE_ARGUMENT)
    expect(complete['x-ms-visibility']).toBe('internal')
    expect(complete.parameters.map((p: { name: string }) => p.name)).toEqual(['prompt', 'template', 'argument', 'value', 'context.city', 'context.country', 'context.notes'])
    expect(checkConnectorDocument(doc, { certification: true })).toEqual([])
    await SwaggerParser.validate(structuredClone(doc) as never)
  })

  it('types each resource template: variables as parameters, both dynamic forms passing the other variables', async () => {
    const doc = emit(withPrompts(true, [TRIP], [FORECAST]))
    const op = doc.paths['/resources/templates/forecast/read'].get
    expect(op.operationId).toBe('ResourceForecast')
    expect(op['x-mcp-resource-template']).toBe(FORECAST.uriTemplate)
    const [country, city, days] = op.parameters
    expect([country.name, country.required, city.required, days.name, days.required]).toEqual(['country', true, true, 'days', false])
    expect(city['x-ms-dynamic-values'].parameters).toEqual({ template: FORECAST.uriTemplate, argument: 'city', 'context.country': { parameter: 'country' }, 'context.days': { parameter: 'days' } })
    expect(city['x-ms-dynamic-list'].parameters).toEqual({
      template: { value: FORECAST.uriTemplate },
      argument: { value: 'city' },
      'context.country': { parameterReference: 'country' },
      'context.days': { parameterReference: 'days' },
    })
    expect(doc.paths['/connector/completions'].get.parameters.map((p: { name: string }) => p.name)).toContain('context.days')
    expect(checkConnectorDocument(doc, { certification: true })).toEqual([])
    await SwaggerParser.validate(structuredClone(doc) as never)
  })

  it('the checker follows body references: a missing field, or a required context parameter fed by an optional field, is caught', () => {
    const doc = emit(withPrompts(true, [TRIP]))
    const city = doc.paths['/prompts/plan_trip'].post.parameters[0].schema.properties.city
    city['x-ms-dynamic-list'].parameters['context.country'] = { parameterReference: 'body/nowhere' }
    expect(checkConnectorDocument(doc, { certification: true })).toEqual([expect.objectContaining({ rule: 'C-19', message: expect.stringContaining('body/nowhere') })])
    const again = emit(withPrompts(true, [TRIP]))
    again.paths['/connector/completions'].get.parameters.find((p: { name: string }) => p.name === 'context.notes').required = true
    const violations = checkConnectorDocument(again, { certification: true })
    expect(violations.some((v) => v.rule === 'C-19' && v.message.includes('body/notes'))).toBe(true)
  })

  it('without completions: typed prompts, no suggestions and no completion operation', async () => {
    const doc = emit(withPrompts(false, [TRIP]))
    expect(doc.paths['/prompts/plan_trip'].post.parameters[0].schema.properties.city['x-ms-dynamic-values']).toBeUndefined()
    expect(doc.paths['/connector/completions']).toBeUndefined()
    expect(checkConnectorDocument(doc, { certification: true })).toEqual([])
    await SwaggerParser.validate(structuredClone(doc) as never)
  })

  it('leaves out prompts with argument names a connector cannot carry, and keeps at most the limit in name order', () => {
    const many = Array.from({ length: MAX_PROMPT_OPERATIONS + 3 }, (_, i) => ({ name: `p${String(i).padStart(2, '0')}`, arguments: [{ name: 'a' }] }))
    const doc = emit(withPrompts(true, [...many, { name: 'aaa_odd', arguments: [{ name: 'with space' }] }], [{ name: 'odd', uriTemplate: 'x://{a-b}' }]))
    const typed = Object.keys(doc.paths).filter((p) => p.startsWith('/prompts/'))
    expect(typed).toHaveLength(MAX_PROMPT_OPERATIONS)
    expect(typed).not.toContain('/prompts/aaa_odd')
    expect(typed).toContain('/prompts/p00')
    expect(typed).not.toContain(`/prompts/p${MAX_PROMPT_OPERATIONS}`)
    // A variable a query string cannot carry as a parameter: readable by URI only.
    expect(Object.keys(doc.paths).filter((p) => p.startsWith('/resources/templates/'))).toEqual([])
  })
})

describe('a facade in front of a vendor with a completable prompt argument', () => {
  const running = vendorAndFacade(startFeatureVendor, { protocol: 'legacy' })

  it('serves the prompt operation and answers CompleteArgument as its dynamic list calls it', async () => {
    const [vendor, facade] = [running.vendor(), running.facade()]
    const doc = (await jsonOf(await facade.call('/swagger.json'))) as Doc
    expect(checkConnectorDocument(doc).filter((v) => v.severity === 'error')).toEqual([])
    await SwaggerParser.validate(structuredClone(doc) as never)
    const op = doc.paths['/prompts/review'].post
    const list = op.parameters[0].schema.properties.language['x-ms-dynamic-list']
    // What the designer does: literal values as given, references read from the fields filled in so far.
    const query = new URLSearchParams({ value: 'ty' })
    for (const [name, spec] of Object.entries(list.parameters as Record<string, { value?: string }>)) if (spec.value !== undefined) query.set(name, spec.value)
    const complete = doc.paths['/connector/completions'].get
    expect(complete.operationId).toBe(list.operationId)
    const res = await facade.call(`/connector/completions?${query}`)
    expect(res.status).toBe(200)
    const body = await jsonOf(res)
    expect(body).toEqual({ values: [{ value: 'typescript' }] })
    // The items carry the property the dynamic values point at.
    expect(body.values.map((v: Record<string, string>) => v[list.itemValuePath])).toEqual(['typescript'])
    expect(vendor.completions().at(-1)).toEqual({ ref: { type: 'ref/prompt', name: 'review' }, argument: { name: 'language', value: 'ty' } })
    // Filled-in fields reach the vendor as the completion's context; empty ones do not.
    await facade.call(`/connector/completions?${query}&context.style=terse&context.empty=`)
    expect(vendor.completions().at(-1)?.context).toEqual({ style: 'terse' })
    // REST documents it (only because this vendor offers completions), and the answer matches.
    const openapi = await jsonOf(await facade.call('/openapi.json'))
    const declared = openapi.paths['/connector/completions'].get
    expect(declared.operationId).toBe('ConnectorCompleteArgument')
    const ajv = new Ajv2020({ strict: false })
    expect(ajv.validate(declared.responses['200'].content['application/json'].schema, body), JSON.stringify(ajv.errors)).toBe(true)
    // The operation itself renders the prompt.
    const rendered = await jsonOf(await facade.call('/prompts/review', { method: 'POST', json: { language: 'go' } }))
    expect(rendered.messages[0].content.text).toBe('Review this go code.')
    // The template operation: its variable completes (the vendor's `weather://{city}`), and reads the filled-in URI.
    const read = doc.paths['/resources/templates/weather/read'].get
    const cityList = read.parameters[0]['x-ms-dynamic-list']
    const cityQuery = new URLSearchParams({ value: 'l' })
    for (const [name, spec] of Object.entries(cityList.parameters as Record<string, { value?: string }>)) if (spec.value !== undefined) cityQuery.set(name, spec.value)
    expect(await jsonOf(await facade.call(`/connector/completions?${cityQuery}`))).toEqual({ values: [{ value: 'Lisbon' }, { value: 'London' }, { value: 'Lyon' }] })
    const weather = await jsonOf(await facade.call('/resources/templates/weather/read?city=Paris'))
    expect(weather.contents).toEqual([{ uri: 'weather://Paris', mimeType: 'text/plain', text: 'Sunny in Paris' }])
    expect((await facade.call('/resources/templates/weather/read')).status).toBe(400)
    expect((await facade.call('/resources/templates/nowhere/read?city=x')).status).toBe(404)
    // Unknown prompts and missing parameters are problems, not 500s.
    expect((await facade.call('/connector/completions?prompt=nope&argument=x')).status).toBe(404)
    const missing = await facade.call('/connector/completions?argument=language')
    expect(missing.status).toBe(400)
  })
})
