import { describe, expect, it } from 'vitest'

import type { JsonSchema } from '../../src/catalog/types.js'
import {
  applyConnectorPropertyNames,
  downlevelSchema,
  isSafePropertyName,
  restoreVendorPropertyNames,
  safePropertyNames,
} from '../../src/swagger/schema-downlevel.js'
import type { Swagger2Schema } from '../../src/swagger/types.js'

describe('safePropertyNames', () => {
  it('keeps safe names and renames the others deterministically', () => {
    expect(Object.fromEntries(safePropertyNames(['id', 'first name', 'a.b', '@type', '2fa', 'x:y', 'crème', '日本', '', 'trail.']))).toEqual({
      id: 'id',
      'first name': 'first_name',
      'a.b': 'a_b',
      '@type': '_type',
      '2fa': '_2fa',
      'x:y': 'x_y',
      crème: 'creme',
      // unsafe names are processed in code-unit order: '' before '日本'
      '': 'property',
      日本: 'property_2',
      'trail.': 'trail',
    })
  })

  it('is collision-safe and independent of input order', () => {
    const names = ['a.b', 'a_b', 'a b', 'a/b']
    const forward = safePropertyNames(names)
    const backward = safePropertyNames([...names].reverse())
    expect(Object.fromEntries(forward)).toEqual(Object.fromEntries(backward))
    expect(forward.get('a_b')).toBe('a_b')
    expect(new Set(forward.values()).size).toBe(names.length)
    for (const safe of forward.values()) expect(isSafePropertyName(safe)).toBe(true)
  })
})

/** Collects the property names of every object position of an emitted schema. */
function keysOf(schema: Swagger2Schema | undefined, out: string[] = []): string[] {
  if (!schema) return out
  for (const [k, v] of Object.entries(schema.properties ?? {})) {
    out.push(k)
    keysOf(v, out)
  }
  keysOf(schema.items, out)
  if (typeof schema.additionalProperties === 'object') keysOf(schema.additionalProperties, out)
  return out
}

const vendorSchema: JsonSchema = {
  type: 'object',
  $defs: {
    Contact: {
      type: 'object',
      properties: { 'e.mail': { type: 'string' }, 'full name': { type: 'string' }, tags: { type: 'array', items: { $ref: '#/$defs/Tag' } } },
    },
    Tag: { type: 'object', properties: { '@label': { type: 'string' } } },
  },
  properties: {
    'filter.name': { type: ['string', 'null'] },
    contact: { $ref: '#/$defs/Contact' },
    contacts: { type: 'array', items: { $ref: '#/$defs/Contact' } },
    merged: { allOf: [{ properties: { 'x.y': { type: 'string' } } }, { properties: { z: { type: 'integer' } } }] },
    either: { oneOf: [{ type: 'object', properties: { 'p.q': { type: 'string' } } }, { type: 'object', properties: { r: { type: 'string' } } }] },
    dict: { type: 'object', additionalProperties: { type: 'object', properties: { 'k.v': { type: 'string' } } } },
    a_b: { type: 'string' },
    'a.b': { type: 'string' },
  },
}

describe('restoreVendorPropertyNames', () => {
  it('maps every safe key the connector sends back to the vendor key', () => {
    const body = {
      filter_name: 'x',
      contact: { e_mail: 'a@b.c', full_name: 'Ann', tags: [{ _label: 'vip' }] },
      contacts: [{ e_mail: 'd@e.f' }, { full_name: 'Bob', tags: [] }],
      merged: { x_y: 'm', z: 1 },
      either: { p_q: 'p' },
      dict: { anyKey: { k_v: 'v' } },
      a_b: 'plain',
      a_b_2: 'dotted',
    }
    expect(restoreVendorPropertyNames(vendorSchema, body)).toEqual({
      'filter.name': 'x',
      contact: { 'e.mail': 'a@b.c', 'full name': 'Ann', tags: [{ '@label': 'vip' }] },
      contacts: [{ 'e.mail': 'd@e.f' }, { 'full name': 'Bob', tags: [] }],
      merged: { 'x.y': 'm', z: 1 },
      either: { 'p.q': 'p' },
      dict: { anyKey: { 'k.v': 'v' } },
      a_b: 'plain',
      'a.b': 'dotted',
    })
  })

  it('round-trips with the names the down-converter emitted', () => {
    const { schema } = downlevelSchema(vendorSchema)
    const emittedKeys = keysOf(schema)
    expect(emittedKeys.every(isSafePropertyName)).toBe(true)
    // a body built from the emitted (safe) names restores to vendor names only
    const body = {
      filter_name: 'x',
      contact: { e_mail: 'm', full_name: 'n', tags: [{ _label: 'l' }] },
      merged: { x_y: 'y', z: 2 },
      a_b_2: 'dotted',
    }
    const restored = restoreVendorPropertyNames(vendorSchema, body) as Record<string, unknown>
    expect(Object.keys(restored)).toEqual(['filter.name', 'contact', 'merged', 'a.b'])
    // and the vendor data maps forward to exactly the emitted names
    expect(applyConnectorPropertyNames(vendorSchema, restored)).toEqual(body)
  })

  it('leaves keys alone when the vendor already defines them, and never overwrites a key the body spells out', () => {
    expect(restoreVendorPropertyNames(vendorSchema, { a_b: 1, 'a.b': 2, a_b_2: 3 })).toEqual({ a_b: 1, 'a.b': 2, a_b_2: 3 })
  })

  it('passes unknown keys, scalars, nulls and free-form parts through unchanged', () => {
    expect(restoreVendorPropertyNames(vendorSchema, { unknown_key: { e_mail: 1 }, filter_name: null })).toEqual({ unknown_key: { e_mail: 1 }, 'filter.name': null })
    expect(restoreVendorPropertyNames(vendorSchema, 'text')).toBe('text')
    expect(restoreVendorPropertyNames({ type: 'object' }, { 'a.b': 1, a_b: 2 })).toEqual({ 'a.b': 1, a_b: 2 })
  })

  it('stops at a recursion cut, where the connector treats the value as free-form JSON', () => {
    const tree: JsonSchema = {
      $defs: { Node: { type: 'object', properties: { 'node.label': { type: 'string' }, kids: { type: 'array', items: { $ref: '#/$defs/Node' } } } } },
      type: 'object',
      properties: { root: { $ref: '#/$defs/Node' } },
    }
    const body = { root: { node_label: 'top', kids: [{ node_label: 'typed by hand' }] } }
    expect(restoreVendorPropertyNames(tree, body)).toEqual({ root: { 'node.label': 'top', kids: [{ node_label: 'typed by hand' }] } })
  })

  it('does not mutate its input', () => {
    const body = { filter_name: 'x', contact: { e_mail: 'a' } }
    const copy = structuredClone(body)
    restoreVendorPropertyNames(vendorSchema, body)
    expect(body).toEqual(copy)
  })
})

describe('applyConnectorPropertyNames', () => {
  it('renames vendor keys in tool output to the names of the output schema', () => {
    const output: JsonSchema = {
      type: 'object',
      properties: { '@odata.count': { type: 'integer' }, value: { type: 'array', items: { type: 'object', properties: { 'mail.address': { type: 'string' } } } } },
    }
    const data = { '@odata.count': 2, value: [{ 'mail.address': 'a@b.c' }, { 'mail.address': 'd@e.f', extra: true }] }
    const mapped = applyConnectorPropertyNames(output, data)
    expect(mapped).toEqual({ _odata_count: 2, value: [{ mail_address: 'a@b.c' }, { mail_address: 'd@e.f', extra: true }] })
    const { schema } = downlevelSchema(output, { direction: 'output' })
    expect(Object.keys(schema.properties!)).toEqual(['_odata_count', 'value'])
    expect(Object.keys(schema.properties!.value!.items!.properties!)).toEqual(['mail_address'])
    expect(restoreVendorPropertyNames(output, mapped)).toEqual(data)
  })
})
