/**
 * The conformance checker itself: it must catch an undeclared status, a body that breaks its schema, a media type
 * the document does not list, and a relied-on header the answer carries but the document does not declare;
 * otherwise the contract test could pass on anything.
 */
import { describe, expect, it } from 'vitest'
import { OpenApiConformance, SwaggerConformance, type Answer } from './conformance.js'

const doc = {
  openapi: '3.1.0',
  info: { title: 't', version: '1' },
  paths: {
    '/x': {
      get: {
        responses: {
          200: { description: 'ok', headers: { 'X-Request-Id': { $ref: '#/components/headers/RequestId' } }, content: { 'application/json': { schema: { $ref: '#/components/schemas/X' } } } },
          404: { $ref: '#/components/responses/NotFound' },
        },
      },
    },
  },
  components: {
    schemas: { X: { type: 'object', required: ['n'], properties: { n: { type: 'integer' } } } },
    headers: { RequestId: { schema: { type: 'string' } } },
    responses: { NotFound: { description: 'nf', content: { 'application/problem+json': { schema: { type: 'object', properties: { code: { enum: ['tool_not_found'] } } } } } } },
  },
}
const answer = (status: number, body: unknown, headers: Record<string, string> = {}, contentType = 'application/json'): Answer => ({ status, body, headers: new Headers(headers), contentType })

describe('OpenApiConformance', () => {
  const c = new OpenApiConformance(doc)
  it('accepts a conforming answer, also through shared responses', () => {
    expect(c.check('GET', '/x', answer(200, { n: 1 }, { 'x-request-id': 'r' }))).toEqual([])
    expect(c.check('GET', '/x', answer(404, { code: 'tool_not_found' }, {}, 'application/problem+json'))).toEqual([])
  })
  it('catches what does not conform', () => {
    expect(c.check('GET', '/x', answer(500, {}))[0]).toContain('status not declared')
    expect(c.check('GET', '/x', answer(200, { n: 'one' }))[0]).toContain('body does not match')
    expect(c.check('GET', '/x', answer(200, { n: 1 }, {}, 'text/plain'))[0]).toContain('media type')
    expect(c.check('GET', '/x', answer(200, { n: 1 }, { 'x-session-id': 's' }))[0]).toContain('x-session-id sent but not declared')
    expect(c.check('GET', '/x', answer(404, { code: 'session_not_found' }, {}, 'application/problem+json'))[0]).toContain('body does not match')
  })
})

describe('SwaggerConformance', () => {
  const swagger = {
    swagger: '2.0',
    paths: { '/x': { post: { responses: { 200: { description: 'ok', schema: { type: 'object', properties: { s: { type: 'string', 'x-nullable': true }, w: { type: 'number', minimum: 0, exclusiveMinimum: true } } } }, 202: { $ref: '#/responses/Accepted' } } } } },
    responses: { Accepted: { description: 'a', headers: { Location: { type: 'string' } } } },
  }
  const c = new SwaggerConformance(swagger)
  it('reads x-nullable and boolean exclusive bounds', () => {
    expect(c.check('POST', '/x', answer(200, { s: null, w: 1 }))).toEqual([])
    expect(c.check('POST', '/x', answer(200, { w: 0 }))[0]).toContain('body does not match')
  })
  it('catches undeclared statuses and missing declared headers', () => {
    expect(c.check('POST', '/x', answer(400, {}))[0]).toContain('status not declared')
    expect(c.check('POST', '/x', answer(202, {}))[0]).toContain('Location missing')
    expect(c.check('POST', '/x', answer(202, {}, { location: 'https://x/jobs/1' }))).toEqual([])
  })
})
