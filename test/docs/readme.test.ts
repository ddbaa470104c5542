/**
 * The README works as written: its quick-start shell lines run against a real facade in front of the demo vendor
 * (curl and jq, as a newcomer types them; only the port differs), its config example loads with the real loader,
 * and every relative link of the README and of docs/README.md points at a file that exists.
 */
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config/load.js'
import { startDemoVendor } from '../../src/demo/vendor.js'
import { startTestFacade, type TestFacade } from '../support/facade.js'

const ROOT = resolve(import.meta.dirname, '../..')
const README = readFileSync(join(ROOT, 'README.md'), 'utf8')

/** The fenced blocks of a Markdown text under a `## heading`, with their language. */
function blocksUnder(markdown: string, heading: string): Array<{ lang: string; text: string }> {
  const start = markdown.indexOf(`\n## ${heading}\n`)
  expect(start, `README has a "## ${heading}" section`).toBeGreaterThanOrEqual(0)
  const end = markdown.indexOf('\n## ', start + 4)
  const section = markdown.slice(start, end === -1 ? undefined : end)
  return [...section.matchAll(/```(\w*)\n([\s\S]*?)```/g)].map((m) => ({ lang: m[1]!, text: m[2]! }))
}

describe('README quick start', () => {
  let demo: Awaited<ReturnType<typeof startDemoVendor>>
  let facade: TestFacade
  beforeAll(async () => {
    demo = await startDemoVendor()
    facade = await startTestFacade({ default: { url: demo.url } }, {}, 'warn')
  })
  afterAll(async () => {
    await facade?.close()
    await demo?.close()
  })

  it('runs every curl line as written, and each answers what a newcomer expects', async () => {
    const curlBlock = blocksUnder(README, 'Quick start').find((b) => b.lang === 'sh' && b.text.includes('curl'))
    expect(curlBlock, 'the quick start has a block of curl lines').toBeDefined()
    const port = new URL(facade.url).port
    // Each line's output on a line of its own, so the answers can be told apart.
    const script = ['set -euo pipefail', ...curlBlock!.text.trim().split('\n').flatMap((line) => [line.replace(/localhost:8080/g, `127.0.0.1:${port}`), 'echo']), 'echo "session=$S"'].join('\n')
    // Asynchronously: the facade answering curl runs in this process.
    const { stdout: out } = await promisify(execFile)('bash', ['-c', script], { encoding: 'utf8', timeout: 30_000 })
    const lines = out.split('\n').filter((l) => l.trim() !== '')
    expect(JSON.parse(lines[0]!).tools.map((t: { name: string }) => t.name)).toContain('get_weather')
    expect(JSON.parse(lines[1]!)).toMatchObject({ isError: false, data: { city: 'Paris' } })
    const session = /^session=(ses_\S+)$/.exec(lines.at(-1)!)?.[1]
    expect(session, 'jq extracted the session id').toBeDefined()
    expect(JSON.parse(lines[2]!)).toMatchObject({ isError: false, sessionId: session })
    expect(JSON.parse(lines[3]!).data.items).toEqual([expect.objectContaining({ sku: 'ABC-1', quantity: 2 })])
  })
})

describe('README config example', () => {
  it('loads with the real loader (the $schema line included) once its variables are set', () => {
    const json = blocksUnder(README, 'Your own MCP server').find((b) => b.lang === 'json')
    expect(json).toBeDefined()
    const dir = mkdtempSync(join(tmpdir(), 'mrf-readme-'))
    try {
      const file = join(dir, 'facade.json')
      writeFileSync(file, json!.text)
      const config = loadConfig({ config: file }, { CRM_TENANT: 'contoso', FACADE_API_KEY: 'a-key-of-at-least-16-characters' })
      expect(config.servers.crm).toMatchObject({ url: 'https://crm.example.com/mcp', headers: { 'X-Tenant': 'contoso' }, auth: { mode: 'apiKey' } })
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('links', () => {
  it.each(['README.md', 'docs/README.md'])('every relative link of %s points at a file that exists', (page) => {
    const text = readFileSync(join(ROOT, page), 'utf8')
    const targets = [...text.matchAll(/\]\(([^)#\s]+)(#[^)]*)?\)/g)].map((m) => m[1]!).filter((t) => !/^[a-z]+:/.test(t))
    expect(targets.length).toBeGreaterThan(5)
    const missing = targets.filter((t) => !existsSync(resolve(dirname(join(ROOT, page)), t)))
    expect(missing).toEqual([])
  })
})
