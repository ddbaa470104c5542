import { describe, expect, it } from 'vitest'

import { checkConnectorDocument, type CheckOptions } from '../../src/swagger/checker.js'
import { emitSwagger2 } from '../../src/swagger/emit.js'
import type { Violation } from '../../src/swagger/types.js'
import { CERTIFIABLE_OPTIONS, demoCatalog } from './catalog-fixtures.js'

/** A loosely typed, mutable document: the tests break it on purpose. */
type Doc = Record<string, any>

const base: Doc = emitSwagger2(demoCatalog(), CERTIFIABLE_OPTIONS).document

/** The operation `POST /tools/get_weather` of a document. */
const weather = (doc: Doc) => doc.paths['/tools/get_weather'].post
/** Its X-Session-Id parameter, inlined from the shared `#/parameters/SessionId` so a test can break this copy alone. */
const weatherSession = (doc: Doc) => (weather(doc).parameters[1] = structuredClone(doc.parameters.SessionId))
/** One of its responses, inlined from its shared `#/responses/…` entry when it is a reference. */
const weatherResponse = (doc: Doc, code: string) => {
  const r = weather(doc).responses[code]
  return (weather(doc).responses[code] = r.$ref ? structuredClone(doc.responses[r.$ref.slice('#/responses/'.length)]) : r)
}
/** Its body schema. */
const weatherBody = (doc: Doc) => weather(doc).parameters[0].schema

/** Breaks a copy of the valid document and returns the violations of one rule. */
function broken(rule: string, breakIt: (doc: Doc) => void, options: CheckOptions = { certification: true }): Violation[] {
  const doc = structuredClone(base)
  breakIt(doc)
  return checkConnectorDocument(doc, options).filter((v) => v.rule === rule)
}

/** Asserts that breaking the document yields at least one violation of `rule` with `severity`. */
function expectCaught(rule: string, severity: Violation['severity'], breakIt: (doc: Doc) => void, options?: CheckOptions): Violation[] {
  const found = broken(rule, breakIt, options)
  expect(found.length, `expected ${rule}`).toBeGreaterThan(0)
  expect(found.every((v) => v.severity === severity)).toBe(true)
  return found
}

describe('checkConnectorDocument', () => {
  it('finds nothing in a generated document (certification mode)', () => {
    expect(checkConnectorDocument(base, { certification: true })).toEqual([])
  })

  it('never throws on garbage', () => {
    expect(checkConnectorDocument(null)).toEqual([expect.objectContaining({ rule: 'H-01' })])
    expect(() => checkConnectorDocument({ paths: { '/x': { get: { parameters: [null, 1], responses: [] } } } })).not.toThrow()
  })

  it('reports certification rules as warnings outside certification mode', () => {
    expect(broken('C-03', (d) => delete d.info.contact, {})).toEqual([expect.objectContaining({ severity: 'warning' })])
    expect(broken('C-03', (d) => delete d.info.contact)).toEqual([expect.objectContaining({ severity: 'error' })])
  })
})

describe('import rules (H-*)', () => {
  it('H-01 swagger must be 2.0', () => {
    expectCaught('H-01', 'error', (d) => (d.swagger = '3.0'))
  })
  it('H-02 document size', () => {
    expectCaught('H-02', 'error', () => {}, { maxBytes: 1000 })
  })
  it('H-03 unknown keys at the root, in path items, operations, parameters and responses', () => {
    const found = expectCaught('H-03', 'error', (d) => {
      d.openapi = '3.0.0'
      d.paths['/sessions'].securityDefinitions = {}
      weather(d).requestBody = {}
      weatherSession(d).nullable = true
      weather(d).responses['200'].content = {}
    })
    expect(found.map((v) => v.path)).toEqual([
      '/openapi',
      '/paths/~1sessions/securityDefinitions',
      '/paths/~1tools~1get_weather/post/requestBody',
      '/paths/~1tools~1get_weather/post/parameters/1/nullable',
      '/paths/~1tools~1get_weather/post/responses/200/content',
    ])
  })
  it('H-37, H-49 shared responses and parameters: references resolve and are not references themselves', () => {
    expectCaught('H-49', 'error', (d) => (weather(d).parameters[1] = { $ref: '#/parameters/Missing' }))
    expectCaught('H-49', 'error', (d) => (weather(d).parameters[1] = { $ref: '#/definitions/SessionId' }))
    expectCaught('H-49', 'error', (d) => (d.parameters.Alias = { $ref: '#/parameters/SessionId' }))
    expectCaught('H-37', 'error', (d) => (weather(d).responses['400'] = { $ref: '#/responses/Missing' }))
    expectCaught('H-37', 'error', (d) => (d.responses.Alias = { $ref: '#/responses/BadRequest' }))
    // a broken shared parameter is found through every operation that references it
    const found = expectCaught('C-08', 'error', (d) => delete d.parameters.SessionId.description)
    expect(found.map((v) => v.path)).toContain('/paths/~1tools~1get_weather/post/parameters/1')
  })
  it('H-04 info.title and info.version are required', () => {
    expect(expectCaught('H-04', 'error', (d) => {
      delete d.info.title
      delete d.info.version
    })).toHaveLength(2)
  })
  it('H-05 info.description is required', () => {
    expectCaught('H-05', 'error', (d) => delete d.info.description)
  })
  it('H-06 contact e-mail and URLs', () => {
    expect(expectCaught('H-06', 'error', (d) => {
      d.info.contact.email = 'support at example'
      d.info.contact.url = 'example.com/support'
    })).toHaveLength(2)
  })
  it('H-07 host is a bare host[:port]', () => {
    expectCaught('H-07', 'error', (d) => (d.host = 'https://facade.example.com/crm'))
  })
  it('H-08 basePath starts with /', () => {
    expectCaught('H-08', 'error', (d) => (d.basePath = 'crm'))
  })
  it('H-09 schemes are http/https and not empty', () => {
    expectCaught('H-09', 'error', (d) => (d.schemes = ['wss']))
    expectCaught('H-09', 'error', (d) => (d.schemes = []))
  })
  it('H-10 arrays have no duplicates', () => {
    expect(expectCaught('H-10', 'error', (d) => {
      d.consumes = ['application/json', 'application/json']
      weatherBody(d).properties.units.enum = ['metric', 'metric']
    })).toHaveLength(2)
  })
  it('H-11 at most 256 operations', () => {
    expectCaught('H-11', 'error', () => {}, { maxOperations: 5 })
  })
  it('H-12 at most 512 schemas per body', () => {
    expectCaught('H-12', 'error', (d) => {
      weatherBody(d).properties = Object.fromEntries(Array.from({ length: 520 }, (_, i) => [`p${i}`, { type: 'string', 'x-ms-summary': 'P', description: 'P.' }]))
      delete weatherBody(d).required
    })
  })
  it('H-13 schema depth (warning: the limit is unpublished)', () => {
    expectCaught('H-13', 'warning', (d) => {
      let node = weatherBody(d)
      for (let i = 0; i < 12; i++) {
        node.properties.next = { type: 'object', 'x-ms-summary': 'Next', description: 'Next.', properties: {} }
        node = node.properties.next
      }
    })
  })
  it('H-20 paths start with / and have no ? # *', () => {
    expect(expectCaught('H-20', 'error', (d) => {
      d.paths['/tools/a?b'] = d.paths['/tools/ping']
      d.paths['tools/c'] = d.paths['/tools/count']
    })).toHaveLength(2)
  })
  it('H-21 path templates are well formed', () => {
    expectCaught('H-21', 'error', (d) => {
      d.paths['/sessions/{a}{b}'] = { get: { ...d.paths['/connector/tools'].get, operationId: 'Other' } }
      d.paths['/broken/{tool'] = { get: { ...d.paths['/connector/tools'].get, operationId: 'Other2' } }
    })
  })
  it('H-22 paths are unique case-insensitively and templates distinguishable', () => {
    const found = expectCaught('H-22', 'error', (d) => {
      d.paths['/TOOLS/GET_WEATHER'] = { post: { ...weather(d), operationId: 'Shout' } }
      d.paths['/sessions/{id}'] = { delete: { ...d.paths['/sessions/{sessionId}'].delete, operationId: 'EndSession2', parameters: [{ ...d.paths['/sessions/{sessionId}'].delete.parameters[0], name: 'id' }] } }
    })
    expect(found).toHaveLength(2)
  })
  it('H-23 no $ref on a path item', () => {
    expectCaught('H-23', 'error', (d) => (d.paths['/sessions'].$ref = '#/paths/other'))
  })
  it('H-24 path templates and path parameters match, and path parameters are required', () => {
    expectCaught('H-24', 'error', (d) => (d.paths['/sessions/{sessionId}'].delete.parameters = []))
    expectCaught('H-24', 'error', (d) => (d.paths['/sessions/{sessionId}'].delete.parameters[0].required = false))
    expectCaught('H-24', 'error', (d) => (d.paths['/sessions/{sessionId}'].delete.parameters[0].name = 'id'))
  })
  it('H-30 operationId is required and unique', () => {
    expectCaught('H-30', 'error', (d) => delete weather(d).operationId)
    expectCaught('H-30', 'error', (d) => (weather(d).operationId = 'ListTools'))
  })
  it('H-31 operationId is PascalCase (warning)', () => {
    expectCaught('H-31', 'warning', (d) => (weather(d).operationId = 'get_weather'))
  })
  it('H-32 operationId is at most 64 characters', () => {
    expectCaught('H-32', 'error', (d) => (weather(d).operationId = 'A'.repeat(65)))
  })
  it('H-34 responses exist, include a 2xx, use status codes and have descriptions', () => {
    expectCaught('H-34', 'error', (d) => (weather(d).responses = {}))
    expectCaught('H-34', 'error', (d) => (weather(d).responses = { '400': { description: 'Bad.' } }))
    expectCaught('H-34', 'error', (d) => (weather(d).responses['2XX'] = { description: 'x' }))
    expectCaught('H-34', 'error', (d) => delete weatherResponse(d, '202').description)
  })
  it('H-35 only one response carries a schema (warning)', () => {
    expectCaught('H-35', 'warning', (d) => (weatherResponse(d, '400').schema = { type: 'object' }))
  })
  it('H-36 the default response has no schema', () => {
    expectCaught('H-36', 'error', (d) => (weather(d).responses.default = { description: 'Error.', schema: { type: 'object' } }))
  })
  it('H-40 at most one body parameter', () => {
    expectCaught('H-40', 'error', (d) => weather(d).parameters.push({ ...weather(d).parameters[0], name: 'body2' }))
  })
  it('H-41 body and formData do not mix', () => {
    expectCaught('H-41', 'error', (d) =>
      weather(d).parameters.push({ name: 'file', in: 'formData', type: 'file', 'x-ms-summary': 'File', description: 'A file.' }),
    )
  })
  it('H-42 body parameters have a schema only; other parameters a primitive type only', () => {
    expectCaught('H-42', 'error', (d) => delete weather(d).parameters[0].schema)
    expectCaught('H-42', 'error', (d) => (weatherSession(d).schema = { type: 'string' }))
    expectCaught('H-42', 'error', (d) => (weatherSession(d).type = 'object'))
  })
  it('H-43 no body on GET', () => {
    expectCaught('H-43', 'error', (d) => (d.paths['/connector/tools'].get.parameters = [weather(d).parameters[0]]))
  })
  it('H-44 parameters are unique and not named like a body property', () => {
    expectCaught('H-44', 'error', (d) => weather(d).parameters.push({ ...weatherSession(d), name: 'x-session-id' }))
    expectCaught('H-44', 'error', (d) => (weatherSession(d).name = 'city'))
  })
  it('H-45 no parameter named connectionId', () => {
    expectCaught('H-45', 'error', (d) => (weatherSession(d).name = 'connectionId'))
  })
  it('H-46 no Authorization header parameter', () => {
    expectCaught('H-46', 'error', (d) => (weatherSession(d).name = 'Authorization'))
  })
  it('H-47 no collectionFormat multi', () => {
    expectCaught('H-47', 'error', (d) =>
      weather(d).parameters.push({ name: 'ids', in: 'query', type: 'array', items: { type: 'string' }, collectionFormat: 'multi', 'x-ms-summary': 'Ids', description: 'Ids.' }),
    )
  })
  it('H-50 x-ms-url-encoding only on path parameters', () => {
    expectCaught('H-50', 'error', (d) => (weatherSession(d)['x-ms-url-encoding'] = 'single'))
  })
  it('H-51 internal parameters and properties with a default are required', () => {
    expectCaught('H-51', 'error', (d) => Object.assign(weatherSession(d), { 'x-ms-visibility': 'internal', default: 'new' }))
    expectCaught('H-51', 'error', (d) => (weatherBody(d).properties.units['x-ms-visibility'] = 'internal'))
  })
  it('H-52 operations with a body declare a supported consumes', () => {
    expectCaught('H-52', 'error', (d) => (d.consumes = ['application/xml']))
  })
  it('H-63 no $ref in schemas', () => {
    expectCaught('H-63', 'error', (d) => (weatherBody(d).properties.city = { $ref: '#/definitions/City' }))
  })
  it('H-71 property names are identifiers (warning)', () => {
    expectCaught('H-71', 'warning', (d) => (weatherBody(d).properties['city.name'] = { type: 'string', 'x-ms-summary': 'City Name', description: 'City.' }))
  })
})

describe('schema rules (S-*, rulebook §1.6)', () => {
  it('S-01 only Swagger 2.0 schema keywords', () => {
    const found = expectCaught('S-01', 'error', (d) => {
      const city = weatherBody(d).properties.city
      city.oneOf = [{ type: 'string' }]
      city.nullable = true
      city.const = 'x'
      city.examples = ['x']
      city.$defs = {}
      city['x-ms-bogus'] = 1
    })
    expect(found.map((v) => v.path.split('/').pop())).toEqual(['oneOf', 'nullable', 'const', 'examples', '$defs', 'x-ms-bogus'])
    expectCaught('S-01', 'warning', (d) => (weatherBody(d).properties.city.allOf = [{ type: 'string' }]))
  })
  it('S-02 a single type', () => {
    expectCaught('S-02', 'error', (d) => (weatherBody(d).properties.city.type = ['string', 'null']))
    expectCaught('S-02', 'error', (d) => (weatherBody(d).properties.city.type = 'null'))
  })
  it('S-03 exclusive bounds are booleans next to minimum/maximum', () => {
    expectCaught('S-03', 'error', (d) => (weatherBody(d).properties.days.exclusiveMinimum = 0))
    expectCaught('S-03', 'error', (d) => {
      delete weatherBody(d).properties.days.maximum
      weatherBody(d).properties.days.exclusiveMaximum = true
    })
  })
  it('S-04 required only on objects, non-empty, naming defined properties', () => {
    expectCaught('S-04', 'error', (d) => (weatherBody(d).properties.city.required = ['a']))
    expectCaught('S-04', 'error', (d) => (weatherBody(d).required = []))
    expectCaught('S-04', 'error', (d) => (weatherBody(d).required = ['town']))
  })
  it('S-05 enums are non-empty and typed', () => {
    expectCaught('S-05', 'error', (d) => (weatherBody(d).properties.units.enum = []))
    expectCaught('S-05', 'error', (d) => (weatherBody(d).properties.units.enum = ['metric', 1]))
  })
  it('S-06 defaults match the type', () => {
    expectCaught('S-06', 'error', (d) => (weatherBody(d).properties.days.default = 'seven'))
  })
  it('S-07 arrays define items', () => {
    expectCaught('S-07', 'error', (d) => delete weather(d).responses['200'].schema.properties.content.items)
  })
  it('S-08 formats come from the allowed list (warning)', () => {
    expectCaught('S-08', 'warning', (d) => (weatherBody(d).properties.city.format = 'hostname'))
  })
})

describe('certification rules (C-*)', () => {
  it('C-01 title: <= 30 chars, no API/Connector, ends alphanumeric', () => {
    expect(expectCaught('C-01', 'error', (d) => (d.info.title = 'The Contoso Customer API Connector!'))).toHaveLength(3)
  })
  it('C-02 description: 30-500 chars, no product names, no API', () => {
    expectCaught('C-02', 'error', (d) => (d.info.description = 'Too short.'))
    expect(expectCaught('C-02', 'error', (d) => (d.info.description = 'Use this API in Power Automate to call the vendor tools.'))).toHaveLength(2)
  })
  it('C-03 contact name, url and email', () => {
    expectCaught('C-03', 'error', (d) => delete d.info.contact)
    expectCaught('C-03', 'error', (d) => delete d.info.contact.name)
  })
  it('C-04 x-ms-connector-metadata with Website, Privacy policy and at most two valid categories', () => {
    expectCaught('C-04', 'error', (d) => delete d['x-ms-connector-metadata'])
    expectCaught('C-04', 'error', (d) => (d['x-ms-connector-metadata'][2].propertyValue = 'AI;Data;Finance'))
    expectCaught('C-04', 'error', (d) => (d['x-ms-connector-metadata'][2].propertyValue = 'Weather'))
    expectCaught('C-04', 'error', (d) => d['x-ms-connector-metadata'].splice(1, 1))
  })
  it('C-06 operation summary: present, <= 80 chars, no / \\ < > * % & ?, ends alphanumeric or )', () => {
    expectCaught('C-06', 'error', (d) => delete weather(d).summary)
    expectCaught('C-06', 'error', (d) => (weather(d).summary = 'Get weather?'))
    expectCaught('C-06', 'error', (d) => (weather(d).summary = 'Get weather.'))
    expectCaught('C-06', 'error', (d) => (weather(d).summary = 'Get '.repeat(25) + 'weather'))
  })
  it('C-07 operation description: a sentence ending with a period that differs from the summary', () => {
    expectCaught('C-07', 'error', (d) => delete weather(d).description)
    expectCaught('C-07', 'error', (d) => (weather(d).description = 'Returns the forecast'))
    expectCaught('C-07', 'error', (d) => (weather(d).summary = weather(d).description = 'Returns the forecast.'))
  })
  it('C-08 every parameter has x-ms-summary and description', () => {
    expectCaught('C-08', 'error', (d) => delete weather(d).parameters[0]['x-ms-summary'])
    expectCaught('C-08', 'error', (d) => delete weatherSession(d).description)
    expectCaught('C-08', 'error', (d) => (weatherSession(d)['x-ms-summary'] = 'Session: ID!'))
  })
  it('C-09 every property has x-ms-summary and a description sentence', () => {
    expectCaught('C-09', 'error', (d) => delete weatherBody(d).properties.city['x-ms-summary'])
    expectCaught('C-09', 'error', (d) => delete weather(d).responses['200'].schema.properties.text.description)
    expectCaught('C-09', 'error', (d) => (weatherBody(d).properties.city.description = 'City name'))
  })
  it('C-10 ASCII only, and no product names in summaries and descriptions', () => {
    expectCaught('C-10', 'error', (d) => (weatherBody(d).properties.city.description = 'Nom de la ville, par exemple Orléans.'))
    expectCaught('C-10', 'error', (d) => (weatherSession(d).description = 'Session for Power Apps.'))
    expectCaught('C-10', 'warning', (d) => (weather(d)['x-mcp-tool'] = 'météo'))
  })
  it('C-12 a 2xx response with a schema', () => {
    expectCaught('C-12', 'error', (d) => delete weather(d).responses['200'].schema)
  })
  it('C-13 x-ms-visibility on operations, with valid values', () => {
    expectCaught('C-13', 'error', (d) => delete weather(d)['x-ms-visibility'])
    expectCaught('C-13', 'warning', (d) => delete weather(d)['x-ms-visibility'], {})
    expectCaught('C-13', 'error', (d) => (weather(d)['x-ms-visibility'] = 'hidden'), {})
  })
  it('C-14 path parameters declare x-ms-url-encoding', () => {
    expectCaught('C-14', 'error', (d) => delete d.paths['/sessions/{sessionId}'].delete.parameters[0]['x-ms-url-encoding'])
  })
  it('C-19 dynamic extensions: on the schema, existing targets, parameters and paths, in pairs', () => {
    const invoke = (d: Doc) => d.paths['/invoke/{tool}'].post
    // on the body parameter instead of the schema
    expectCaught('C-19', 'error', (d) => (invoke(d).parameters[1]['x-ms-dynamic-schema'] = invoke(d).parameters[1].schema['x-ms-dynamic-schema']))
    // unknown target operation
    expectCaught('C-19', 'error', (d) => (invoke(d).parameters[1].schema['x-ms-dynamic-schema'].operationId = 'GetSchema'))
    // target parameter that does not exist
    expectCaught('C-19', 'error', (d) => (invoke(d).parameters[1].schema['x-ms-dynamic-properties'].parameters = { toolName: { parameterReference: 'tool' } }))
    // source parameter that does not exist
    expectCaught('C-19', 'error', (d) => (invoke(d).parameters[1].schema['x-ms-dynamic-schema'].parameters = { tool: { parameter: 'name' } }))
    // the list operation does not declare the collection
    expectCaught('C-19', 'error', (d) => (invoke(d).parameters[0]['x-ms-dynamic-values']['value-collection'] = 'items'))
    expectCaught('C-19', 'error', (d) => (invoke(d).parameters[0]['x-ms-dynamic-list'].itemValuePath = 'id'))
    // v2 path must equal the v1 path
    expectCaught('C-19', 'error', (d) => (invoke(d).parameters[1].schema['x-ms-dynamic-properties'].itemValuePath = 'schema/properties/x'))
    // a v1 extension without its v2 partner is a warning
    expectCaught('C-19', 'warning', (d) => delete invoke(d).parameters[0]['x-ms-dynamic-list'])
  })
  it('C-20 security requirements name existing definitions and scopes', () => {
    expectCaught('C-20', 'error', (d) => (d.security = [{ oauth2: [] }]))
    expectCaught('C-20', 'error', (d) => (d.security = [{ api_key: ['read'] }]))
  })
})
