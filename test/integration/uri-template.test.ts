/** RFC 6570 expansion of resource templates (the examples of RFC 6570 §3.2, levels 1–3), and their variables. */
import { describe, expect, it } from 'vitest'
import { expandTemplate, templateVariables } from '../../src/catalog/uri-template.js'

const values = { var: 'value', hello: 'Hello World!', path: '/foo/bar', empty: '', x: '1024', y: '768' }

describe('expandTemplate', () => {
  it.each([
    ['{var}', 'value'],
    ['{hello}', 'Hello%20World%21'],
    ['{+var}', 'value'],
    ['{+hello}', 'Hello%20World!'],
    ['{+path}/here', '/foo/bar/here'],
    ['here?ref={+path}', 'here?ref=/foo/bar'],
    ['X{#var}', 'X#value'],
    ['X{#hello}', 'X#Hello%20World!'],
    ['map?{x,y}', 'map?1024,768'],
    ['{x,hello,y}', '1024,Hello%20World%21,768'],
    ['X{.var}', 'X.value'],
    ['X{.x,y}', 'X.1024.768'],
    ['{/var}', '/value'],
    ['{/var,x}/here', '/value/1024/here'],
    ['{;x,y}', ';x=1024;y=768'],
    ['{;x,y,empty}', ';x=1024;y=768;empty'],
    ['{?x,y}', '?x=1024&y=768'],
    ['{?x,y,empty}', '?x=1024&y=768&empty='],
    ['?fixed=yes{&x}', '?fixed=yes&x=1024'],
    ['{?undef}', ''],
    ['weather://{city}{?days}', 'weather://value'],
  ])('%s → %s', (template, expected) => {
    const given = template === 'weather://{city}{?days}' ? { city: 'value' } : values
    expect(expandTemplate(template, given)).toBe(expected)
  })
})

describe('templateVariables', () => {
  it('names each variable once, in order; the query forms are optional; modifiers are not part of the name', () => {
    expect(templateVariables('file:///{+path}{?depth,limit}{&depth}{/seg*}{var:3}')).toEqual([
      { name: 'path', optional: false },
      { name: 'depth', optional: true },
      { name: 'limit', optional: true },
      { name: 'seg', optional: false },
      { name: 'var', optional: false },
    ])
    expect(templateVariables('demo://readme')).toEqual([])
  })
})
