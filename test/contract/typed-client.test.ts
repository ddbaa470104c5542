/**
 * A typed client as third parties build one: openapi-typescript turns the served `/openapi.json` into types,
 * openapi-fetch calls the facade with them, and the TypeScript compiler checks two small programs against the
 * generated file. The program that reads a declared output field of `data` compiles; the one that reads a field
 * the tool does not declare must not (`data` is exactly the tool's output, not an open object).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import createClient from 'openapi-fetch'
import openapiTS, { astToString } from 'openapi-typescript'
import ts from 'typescript'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSessionfulVendor, type SessionfulVendor } from '../fixtures/sessionful-vendor.js'
import { jsonOf, startTestFacade, type TestFacade } from '../support/facade.js'

/** Compiles `files` (name → source) together with the generated schema; returns the error messages. */
function typeCheck(dir: string, files: Record<string, string>): string[] {
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text)
  const program = ts.createProgram(
    Object.keys(files).map((n) => join(dir, n)),
    { strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler, skipLibCheck: true, types: [] },
  )
  return ts.getPreEmitDiagnostics(program).map((d) => `${d.file ? d.file.fileName.slice(dir.length + 1) : ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`)
}

describe('openapi-typescript + openapi-fetch on /openapi.json', () => {
  let vendor: SessionfulVendor
  let facade: TestFacade
  let dir: string

  beforeAll(async () => {
    vendor = await startSessionfulVendor()
    facade = await startTestFacade({ default: { url: vendor.url } })
    // Inside the project so the programs resolve openapi-fetch from its node_modules, like a real client project.
    mkdirSync(join(process.cwd(), 'node_modules/.cache'), { recursive: true })
    dir = mkdtempSync(join(process.cwd(), 'node_modules/.cache/typed-client-'))
    const document = await jsonOf(await facade.call('/openapi.json'))
    writeFileSync(join(dir, 'schema.ts'), astToString(await openapiTS(document as never)))
  }, 60_000)
  afterAll(async () => {
    if (dir) rmSync(dir, { recursive: true, force: true })
    await facade?.close()
    await vendor?.close()
  })

  it('the same client calls the facade and gets the declared data', async () => {
    const client = createClient<any>({ baseUrl: facade.url })
    const { data, response } = await client.POST('/tools/echo', { body: { message: 'typed' } })
    expect(response.status).toBe(200)
    expect(data).toMatchObject({ isError: false, data: { message: 'typed' } })
  })

  // Last: the compiler blocks the event loop for seconds, long enough for idle keep-alive sockets to go stale.
  it('types data as exactly the tool output: a declared field compiles, an unknown one does not', () => {
    const use = (expression: string) => `import createClient from 'openapi-fetch'
import type { paths } from './schema'
const client = createClient<paths>({ baseUrl: 'http://127.0.0.1' })
export async function run(): Promise<unknown> {
  const { data } = await client.POST('/tools/echo', { body: { message: 'hi' } })
  // 200 (the envelope) or 202 (a job to poll): the caller narrows.
  if (!data || 'jobId' in data) return undefined
  const envelope = data
  return ${expression}
}
`
    const declared = typeCheck(dir, { 'declared.ts': use('[envelope.text, envelope.isError, envelope.data?.message.toUpperCase()]') })
    expect(declared).toEqual([])
    const unknownField = typeCheck(dir, { 'unknown.ts': use('envelope.data?.__not_a_field__') })
    expect(unknownField).toEqual([expect.stringMatching(/unknown\.ts: Property '__not_a_field__' does not exist on type/)])
    // The request body is typed from the input schema too.
    const badBody = typeCheck(dir, { 'body.ts': use('envelope').replace("{ message: 'hi' }", '{ message: 42 }') })
    expect(badBody.join('\n')).toMatch(/body\.ts: Type 'number' is not assignable to type 'string'/)
  }, 60_000)
})
