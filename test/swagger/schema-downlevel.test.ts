import { describe, expect, it } from 'vitest'

import type { JsonSchema } from '../../src/catalog/types.js'
import { downlevelSchema, type DownlevelOptions } from '../../src/swagger/schema-downlevel.js'
import type { Swagger2Schema } from '../../src/swagger/types.js'

/** A property as the converter decorates it when the vendor gave no description. */
function field(label: string, schema: Swagger2Schema, extra = ''): Swagger2Schema {
  const { type, format, ...rest } = schema
  return {
    ...(type ? { type } : {}),
    ...(format ? { format } : {}),
    'x-ms-summary': label,
    description: `The ${label} field.${extra ? ' ' + extra : ''}`,
    ...rest,
  }
}

interface GoldenCase {
  name: string
  input: JsonSchema | boolean
  expected: Swagger2Schema
  options?: DownlevelOptions
}

const refs: GoldenCase[] = [
  {
    name: '$ref to #/$defs is inlined',
    input: { type: 'object', $defs: { A: { type: 'string', maxLength: 5 } }, properties: { a: { $ref: '#/$defs/A' } } },
    expected: { type: 'object', properties: { a: field('A', { type: 'string', maxLength: 5 }) } },
  },
  {
    name: '$ref to #/definitions (draft-07) is inlined',
    input: { type: 'object', definitions: { B: { type: 'boolean' } }, properties: { b: { $ref: '#/definitions/B' } } },
    expected: { type: 'object', properties: { b: field('B', { type: 'boolean' }) } },
  },
  {
    name: 'JSON pointer escapes ~0, ~1 and percent-encoding resolve',
    input: {
      type: 'object',
      $defs: { 'a/b': { type: 'integer' }, 'c~d': { type: 'boolean' }, 'e f': { type: 'number' } },
      properties: { x: { $ref: '#/$defs/a~1b' }, y: { $ref: '#/$defs/c~0d' }, z: { $ref: '#/$defs/e%20f' }, w: { $ref: '#/%24defs/a~1b' } },
    },
    expected: {
      type: 'object',
      properties: {
        x: field('X', { type: 'integer' }),
        y: field('Y', { type: 'boolean' }),
        z: field('Z', { type: 'number' }),
        w: field('W', { type: 'integer' }),
      },
    },
  },
  {
    name: 'plain-name anchors ($anchor) resolve',
    input: { type: 'object', $defs: { D: { $anchor: 'day', type: 'string', format: 'date' } }, properties: { d: { $ref: '#day' } } },
    expected: { type: 'object', properties: { d: field('D', { type: 'string', format: 'date' }) } },
  },
  {
    name: 'a $ref keeps its own sibling description',
    input: { type: 'object', $defs: { A: { type: 'string', description: 'Generic.' } }, properties: { a: { $ref: '#/$defs/A', description: 'Specific' } } },
    expected: { type: 'object', properties: { a: { type: 'string', 'x-ms-summary': 'A', description: 'Specific.' } } },
  },
  {
    name: '# root recursion is cut with a free-form object',
    input: { type: 'object', properties: { name: { type: 'string' }, self: { $ref: '#' } } },
    expected: {
      type: 'object',
      properties: {
        name: field('Name', { type: 'string' }),
        self: field('Self', { type: 'object' }, 'Recursive structure (#) cut here; pass it as a JSON object.'),
      },
    },
  },
  {
    name: 'a recursive $defs structure is expanded once and cut where it repeats',
    input: {
      type: 'object',
      $defs: { Node: { type: 'object', properties: { label: { type: 'string' }, children: { type: 'array', items: { $ref: '#/$defs/Node' } } } } },
      properties: { root: { $ref: '#/$defs/Node' } },
    },
    expected: {
      type: 'object',
      properties: {
        root: field('Root', {
          type: 'object',
          properties: {
            label: field('Label', { type: 'string' }),
            children: field('Children', {
              type: 'array',
              items: { type: 'object', description: 'Recursive structure (#/$defs/Node) cut here; pass it as a JSON object.' },
            }),
          },
        }),
      },
    },
  },
  {
    name: 'objects at the depth limit become free-form objects',
    options: { maxDepth: 2 },
    input: { type: 'object', properties: { a: { type: 'object', properties: { b: { type: 'object', properties: { c: { type: 'string' } } }, n: { type: 'integer' } } } } },
    expected: {
      type: 'object',
      properties: {
        a: field('A', {
          type: 'object',
          properties: {
            b: field('B', { type: 'object' }, 'Nested more than 2 levels deep; pass it as a JSON object.'),
            n: field('N', { type: 'integer' }),
          },
        }),
      },
    },
  },
  {
    name: 'an unresolvable $ref becomes free-form',
    input: { $ref: 'https://elsewhere.example.com/schema.json' },
    expected: { type: 'string' },
  },
]

const combinators: GoldenCase[] = [
  {
    name: 'allOf merges properties and required',
    input: {
      allOf: [
        { type: 'object', properties: { a: { type: 'string' } }, required: ['a'] },
        { type: 'object', properties: { b: { type: 'integer' } }, required: ['b'] },
      ],
    },
    expected: { type: 'object', properties: { a: field('A', { type: 'string' }), b: field('B', { type: 'integer' }) }, required: ['a', 'b'] },
  },
  {
    name: 'allOf with a $ref part and local additions',
    input: {
      $defs: { Base: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] } },
      allOf: [{ $ref: '#/$defs/Base' }, { properties: { extra: { type: 'boolean' } } }],
    },
    expected: { type: 'object', properties: { id: field('Id', { type: 'string' }), extra: field('Extra', { type: 'boolean' }) }, required: ['id'] },
  },
  {
    name: 'anyOf [X, null] becomes X with x-nullable',
    input: { anyOf: [{ type: 'string', format: 'date-time' }, { type: 'null' }] },
    expected: { type: 'string', format: 'date-time', 'x-nullable': true },
  },
  {
    name: 'oneOf [null, X] becomes X with x-nullable',
    input: { oneOf: [{ type: 'null' }, { type: 'integer', minimum: 1 }] },
    expected: { type: 'integer', minimum: 1, 'x-nullable': true },
  },
  {
    name: 'type [T, "null"] becomes T with x-nullable',
    input: { type: ['string', 'null'], maxLength: 3 },
    expected: { type: 'string', maxLength: 3, 'x-nullable': true },
  },
  {
    name: 'enum with null drops null and sets x-nullable',
    input: { type: ['string', 'null'], enum: ['a', 'b', null] },
    expected: { type: 'string', enum: ['a', 'b'], 'x-nullable': true },
  },
  {
    name: 'a union of objects merges properties; required only when required in every branch',
    input: {
      oneOf: [
        { type: 'object', properties: { kind: { const: 'circle' }, r: { type: 'number' } }, required: ['kind', 'r'] },
        { type: 'object', properties: { kind: { const: 'square' }, side: { type: 'number' } }, required: ['kind', 'side'] },
      ],
    },
    expected: {
      type: 'object',
      properties: {
        kind: field('Kind', { type: 'string', enum: ['circle', 'square'] }),
        r: field('R', { type: 'number' }),
        side: field('Side', { type: 'number' }),
      },
      required: ['kind'],
    },
  },
  {
    name: 'integer | number becomes number',
    input: { anyOf: [{ type: 'integer' }, { type: 'number' }] },
    expected: { type: 'number' },
  },
  {
    name: 'string | integer becomes string with the variants described',
    input: { oneOf: [{ type: 'string', format: 'date-time' }, { type: 'integer' }] },
    expected: { type: 'string', description: 'Accepts one of: string (date-time); integer.' },
  },
  {
    name: 'scalar branches of one type unite their enums',
    input: { oneOf: [{ const: 'asc', title: 'Ascending' }, { const: 'desc', title: 'Descending' }] },
    expected: { type: 'string', description: 'Accepts one of: "Ascending" "asc"; "Descending" "desc".', enum: ['asc', 'desc'] },
  },
  {
    name: 'T | T[] becomes an array of T',
    input: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] },
    expected: { type: 'array', description: 'Accepts one of: string; array.', items: { type: 'string' } },
  },
  {
    name: 'object | string keeps the object with its properties (inputs)',
    input: { anyOf: [{ type: 'string' }, { type: 'object', properties: { x: { type: 'integer' } }, required: ['x'] }] },
    expected: { type: 'object', description: 'Accepts one of: string; object.', properties: { x: field('X', { type: 'integer' }) }, required: ['x'] },
  },
  {
    name: 'object | string keeps the object with its properties (outputs)',
    options: { direction: 'output' },
    input: { oneOf: [{ type: 'object', properties: { page_id: { type: 'string' } } }, { type: 'object', properties: { database_id: { type: 'string' } } }, { type: 'string' }] },
    expected: {
      type: 'object',
      description: 'Accepts one of: object; object; string.',
      properties: { page_id: field('Page Id', { type: 'string' }), database_id: field('Database Id', { type: 'string' }) },
    },
  },
  {
    name: 'a mixed union without an object is a free-form object in inputs',
    input: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'integer' } }, { type: 'object' }] },
    expected: { type: 'object', description: 'Accepts one of: string; array; object.' },
  },
  {
    name: 'a mixed union has no type in outputs',
    options: { direction: 'output' },
    input: { anyOf: [{ type: 'boolean' }, { type: 'array', items: { type: 'string' } }] },
    expected: { description: 'Accepts one of: boolean; array.' },
  },
  {
    name: 'type arrays without null go through the union rules',
    input: { type: ['string', 'integer'] },
    expected: { type: 'string', description: 'Accepts one of: string; integer.' },
  },
]

const keywords: GoldenCase[] = [
  { name: 'const becomes a one-value enum with a default', input: { const: 'fast' }, expected: { type: 'string', enum: ['fast'], default: 'fast' } },
  { name: 'const of a number', input: { type: 'integer', const: 3 }, expected: { type: 'integer', enum: [3], default: 3 } },
  {
    name: 'numeric exclusiveMinimum/Maximum become draft-04 booleans',
    input: { type: 'integer', exclusiveMinimum: 0, exclusiveMaximum: 100 },
    expected: { type: 'integer', minimum: 0, exclusiveMinimum: true, maximum: 100, exclusiveMaximum: true },
  },
  {
    name: 'the stricter of minimum and exclusiveMinimum wins',
    input: { type: 'number', minimum: 5, exclusiveMinimum: 2, maximum: 10, exclusiveMaximum: 10 },
    expected: { type: 'number', minimum: 5, maximum: 10, exclusiveMaximum: true },
  },
  {
    name: 'boolean exclusive bounds stay next to their bound and are dropped alone',
    input: { type: 'number', minimum: 1, exclusiveMinimum: true, exclusiveMaximum: true },
    expected: { type: 'number', minimum: 1, exclusiveMinimum: true },
  },
  { name: 'format url maps to uri', input: { type: 'string', format: 'url' }, expected: { type: 'string', format: 'uri' } },
  { name: 'format iri and uri-reference map to uri', input: { type: 'string', format: 'uri-reference' }, expected: { type: 'string', format: 'uri' } },
  { name: 'allowed formats are kept', input: { type: 'integer', format: 'int64' }, expected: { type: 'integer', format: 'int64' } },
  {
    name: 'other formats are dropped and named in the description',
    input: { type: 'string', format: 'hostname', description: 'Server' },
    expected: { type: 'string', description: 'Server. Format: hostname.' },
  },
  { name: 'a format of another type is dropped', input: { type: 'string', format: 'int32' }, expected: { type: 'string', description: 'Format: int32.' } },
  { name: 'arrays without items get string items in inputs', input: { type: 'array' }, expected: { type: 'array', items: { type: 'string' } } },
  { name: 'arrays without items get free-form items in outputs', options: { direction: 'output' }, input: { type: 'array' }, expected: { type: 'array', items: {} } },
  {
    name: 'prefixItems (2020-12 tuple) becomes one widest items schema',
    input: { type: 'array', prefixItems: [{ type: 'integer' }, { type: 'number' }], minItems: 2 },
    expected: { type: 'array', minItems: 2, items: { type: 'number' } },
  },
  {
    name: 'draft-07 tuple items with additionalItems becomes one items schema',
    input: { type: 'array', items: [{ type: 'string' }, { type: 'string', format: 'email' }], additionalItems: false },
    expected: { type: 'array', items: { type: 'string', description: 'Accepts one of: string; string (email).' } },
  },
  {
    name: 'JSON Schema-only keywords are stripped',
    input: {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      $id: 'https://vendor.example.com/x',
      $comment: 'internal',
      title: 'Root',
      type: 'object',
      definitions: { Unused: { type: 'string' } },
      $defs: { Unused2: { type: 'string' } },
      properties: {
        s: {
          type: 'string',
          contentEncoding: 'base64',
          contentMediaType: 'image/png',
          readOnly: true,
          writeOnly: false,
          nullable: true,
          'x-vendor': 1,
          'x-ms-visibility': 'internal',
          unknownKeyword: true,
        },
      },
      patternProperties: { '^x': { type: 'string' } },
      propertyNames: { maxLength: 3 },
      dependencies: { s: ['t'] },
      dependentRequired: { s: ['t'] },
      dependentSchemas: { s: { required: ['t'] } },
      unevaluatedProperties: false,
      not: { required: ['z'] },
      if: { required: ['s'] },
      then: { required: ['t'] },
      else: { required: ['u'] },
      'x-ms-test-value': {},
    },
    expected: { type: 'object', properties: { s: field('S', { type: 'string' }) } },
  },
  {
    name: 'examples become a single example; deprecated is said in the description',
    input: { type: 'string', examples: ['a', 'b'], deprecated: true },
    expected: { type: 'string', description: 'Deprecated.', example: 'a' },
  },
  {
    name: 'required only names defined properties',
    input: { type: 'object', properties: { a: { type: 'string' } }, required: ['a', 'ghost', 'a'] },
    expected: { type: 'object', properties: { a: field('A', { type: 'string' }) }, required: ['a'] },
  },
  { name: 'required on a non-object and empty required are dropped', input: { type: 'string', required: ['a'] }, expected: { type: 'string' } },
  { name: 'an empty required array is dropped', input: { type: 'object', required: [] }, expected: { type: 'object' } },
  { name: 'enum values of the wrong type and duplicates are dropped', input: { type: 'integer', enum: [1, '2', 3.5, 1, 4] }, expected: { type: 'integer', enum: [1, 4] } },
  { name: 'an enum with no valid value is dropped', input: { type: 'boolean', enum: ['yes'] }, expected: { type: 'boolean' } },
  { name: 'an enum type is inferred from its values', input: { enum: ['a', 'b'] }, expected: { type: 'string', enum: ['a', 'b'] } },
  { name: 'a default of the wrong type is dropped', input: { type: 'integer', default: 'ten' }, expected: { type: 'integer' } },
  { name: 'a default outside the enum is dropped', input: { type: 'string', enum: ['a'], default: 'b' }, expected: { type: 'string', enum: ['a'] } },
  { name: 'a matching default is kept', input: { type: 'number', default: 2 }, expected: { type: 'number', default: 2 } },
  { name: 'an object default is dropped', input: { type: 'object', default: { a: 1 } }, expected: { type: 'object' } },
  {
    name: 'inconsistent bounds are dropped',
    input: { type: 'string', minLength: 5, maxLength: 2, pattern: '([a-z' },
    expected: { type: 'string' },
  },
  { name: 'multipleOf must be positive', input: { type: 'number', multipleOf: 0 }, expected: { type: 'number' } },
  { name: 'minimum above maximum drops both', input: { type: 'integer', minimum: 9, maximum: 1 }, expected: { type: 'integer' } },
  {
    name: 'a type is inferred from keywords',
    input: { properties: { a: { minLength: 1 }, b: { maximum: 3 }, c: { items: { type: 'string' } } } },
    expected: {
      type: 'object',
      properties: {
        a: field('A', { type: 'string', minLength: 1 }),
        b: field('B', { type: 'number', maximum: 3 }),
        c: field('C', { type: 'array', items: { type: 'string' } }),
      },
    },
  },
  {
    name: 'additionalProperties schemas are converted',
    input: { type: 'object', additionalProperties: { type: ['integer', 'null'] } },
    expected: { type: 'object', additionalProperties: { type: 'integer', 'x-nullable': true } },
  },
  {
    name: 'additionalProperties false is dropped with patternProperties (it would refuse valid keys)',
    input: { type: 'object', patternProperties: { '^x-': { type: 'string' } }, additionalProperties: false },
    expected: { type: 'object' },
  },
  { name: 'a true schema is free-form (string in inputs)', input: true, expected: { type: 'string' } },
  { name: 'an empty schema is free-form (no type in outputs)', input: {}, expected: {}, options: { direction: 'output' } },
]

const properties: GoldenCase[] = [
  {
    name: 'x-ms-summary comes from the title, else the name in Title Case; descriptions end with a period',
    input: {
      type: 'object',
      properties: {
        first_name: { type: 'string', description: 'Given name' },
        userID: { type: 'string', title: 'User identifier (internal)' },
        'max-results': { type: 'integer', description: 'How many?' },
      },
    },
    expected: {
      type: 'object',
      properties: {
        first_name: { type: 'string', 'x-ms-summary': 'First Name', description: 'Given name.' },
        userID: { type: 'string', 'x-ms-summary': 'User Identifier (internal)', description: 'The User Identifier (internal) field.' },
        'max-results': { type: 'integer', 'x-ms-summary': 'Max Results', description: 'How many.' },
      },
    },
  },
  {
    name: 'x-ms-summary is cut to 80 characters of letters, digits, spaces and parentheses',
    input: { type: 'object', properties: { x: { type: 'string', title: 'A very long title: ' + 'word '.repeat(30) } } },
    expected: {
      type: 'object',
      properties: {
        x: {
          type: 'string',
          'x-ms-summary': ('A Very Long Title ' + 'Word '.repeat(30)).slice(0, 78).trim(),
          description: `The ${('A Very Long Title ' + 'Word '.repeat(30)).slice(0, 78).trim()} field.`,
        },
      },
    },
  },
  {
    name: 'unsafe property names are renamed and the vendor name is quoted',
    input: {
      type: 'object',
      properties: {
        'filter.name': { type: 'string' },
        '@odata.top': { type: 'integer' },
        'first name': { type: 'string' },
        'ville/région': { type: 'string' },
        'key:value': { type: 'string' },
        名前: { type: 'string' },
      },
      required: ['filter.name'],
    },
    expected: {
      type: 'object',
      properties: {
        filter_name: field('Filter Name', { type: 'string' }, 'Vendor field name: "filter.name".'),
        _odata_top: field('Odata Top', { type: 'integer' }, 'Vendor field name: "@odata.top".'),
        first_name: field('First Name', { type: 'string' }, 'Vendor field name: "first name".'),
        ville_region: field('Ville Region', { type: 'string' }, 'Vendor field name: "ville/r\\u00e9gion".'),
        key_value: field('Key Value', { type: 'string' }, 'Vendor field name: "key:value".'),
        property: field('Property', { type: 'string' }, 'Vendor field name: "\\u540d\\u524d".'),
      },
      required: ['filter_name'],
    },
  },
  {
    name: 'renamed properties never collide with existing safe names',
    input: { type: 'object', properties: { a_b: { type: 'string' }, 'a.b': { type: 'string' }, 'a b': { type: 'string' } } },
    expected: {
      type: 'object',
      properties: {
        a_b: field('A B', { type: 'string' }),
        a_b_3: field('A B', { type: 'string' }, 'Vendor field name: "a.b".'),
        a_b_2: field('A B', { type: 'string' }, 'Vendor field name: "a b".'),
      },
    },
  },
  {
    name: 'descriptions are ASCII and free of product names',
    input: { type: 'object', properties: { a: { type: 'string', description: 'Use it in Power Automate – it’s “smart”' } } },
    expected: { type: 'object', properties: { a: { type: 'string', 'x-ms-summary': 'A', description: 'Use it - it\'s "smart".' } } },
  },
]

describe('downlevelSchema golden cases', () => {
  for (const [group, cases] of Object.entries({ refs, combinators, keywords, properties })) {
    describe(group, () => {
      it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
        expect(downlevelSchema(c.input, c.options).schema).toEqual(c.expected)
      })
    })
  }
})

describe('downlevelSchema notes and counts', () => {
  it('reports every loss with its position', () => {
    const { notes } = downlevelSchema({
      type: 'object',
      properties: { h: { type: 'string', format: 'hostname' }, 'a.b': { type: 'string' }, u: { oneOf: [{ type: 'string' }, { type: 'integer' }] } },
      required: ['ghost'],
    })
    expect(notes).toEqual([
      '/properties/h: format "hostname" was dropped',
      '/: property "a.b" renamed to "a_b"',
      '/properties/u: a union of string, integer became string',
      '/: required names without a property were dropped',
    ])
  })

  it('counts every property and items node and flags bodies above 512 schemas', () => {
    const small = downlevelSchema({ type: 'object', properties: { a: { type: 'array', items: { type: 'string' } }, b: { type: 'string' } } })
    expect(small.schemaCount).toBe(4)
    const wide: JsonSchema = { type: 'object', properties: Object.fromEntries(Array.from({ length: 600 }, (_, i) => [`p${i}`, { type: 'string' }])) }
    const big = downlevelSchema(wide)
    expect(big.schemaCount).toBe(601)
    expect(big.notes).toContain('/: 601 schemas exceed the limit of 512 per body')
  })

  it('cuts recursion in outputs without inventing a type for non-object targets', () => {
    const schema: JsonSchema = { $defs: { L: { type: 'array', items: { $ref: '#/$defs/L' } } }, type: 'object', properties: { l: { $ref: '#/$defs/L' } } }
    expect(downlevelSchema(schema, { direction: 'output' }).schema).toEqual({
      type: 'object',
      properties: { l: field('L', { type: 'array', items: { description: 'Recursive structure (#/$defs/L) cut here; pass it as a JSON object.' } }) },
    })
  })

  it('never emits $ref or a non-whitelisted key, whatever the input', () => {
    const { schema } = downlevelSchema({
      $defs: { N: { anyOf: [{ $ref: '#/$defs/N' }, { type: 'string' }] } },
      type: 'object',
      properties: { n: { $ref: '#/$defs/N' }, m: { not: {}, oneOf: [{ $ref: '#' }, { type: 'null' }] } },
    })
    const text = JSON.stringify(schema)
    expect(text).not.toContain('$ref')
    expect(text).not.toMatch(/"(oneOf|anyOf|not|const|nullable)"/)
  })

  it('is pure: the input schema is not modified', () => {
    const input: JsonSchema = { type: 'object', properties: { 'a.b': { anyOf: [{ type: 'string' }, { type: 'null' }] } }, required: ['a.b'] }
    const copy = structuredClone(input)
    downlevelSchema(input)
    expect(input).toEqual(copy)
  })
})
