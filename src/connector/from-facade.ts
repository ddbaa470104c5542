/**
 * @module connector/from-facade
 * `mcp-rest-facade export --from https://facade.example.com --out connector`: the connector folder of a deployed
 * facade, from its `GET /connector/package` (the same files a local export writes, built by the facade from its own
 * configuration and catalog). The maker's machine needs neither the production config nor the vendor's secrets:
 * only the facade's URL and, where inbound auth is on, a key (`FACADE_API_KEY`). With several servers (the root
 * answers 404 there and lists the servers at `GET /`), one sub-folder per server, as a local export does.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { unzipSync } from 'fflate'
import { ExportError } from './export.js'
import { plural } from './warning-keys.js'

/** Options of {@link exportFromFacade}. */
export interface FromFacadeOptions {
  /** The facade's API key (or another credential its inbound auth accepts). */
  key?: string
  /** Header carrying `key` (default `X-API-Key`; `Authorization` sends `Bearer <key>`). */
  keyHeader?: string
  mcpOnly?: boolean
  allowHttp?: boolean
  fetch?: typeof fetch
}

/** Only plain file names: a zip entry can name any path (`../x`), and these are written to disk. */
const FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/

function headersOf(options: FromFacadeOptions): Record<string, string> {
  if (!options.key) return {}
  const header = options.keyHeader ?? 'X-API-Key'
  return { [header]: header.toLowerCase() === 'authorization' ? `Bearer ${options.key}` : options.key }
}

/** fetch, with a refused connection or a bad certificate reported as an ExportError that names the URL. */
async function get(url: string, headers: Record<string, string>, options: FromFacadeOptions): Promise<Response> {
  try {
    return await (options.fetch ?? fetch)(url, { headers })
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause
    throw new ExportError(`cannot reach ${url}: ${cause?.code ?? cause?.message ?? (error as Error).message}`)
  }
}

/** What went wrong, from a problem response, in words that say what to do. */
async function failure(response: Response, url: string): Promise<ExportError> {
  const problem = (await response.json().catch(() => undefined)) as { code?: string; detail?: string } | undefined
  const detail = problem?.detail ? `: ${problem.detail}` : ''
  if (response.status === 401 || response.status === 403)
    return new ExportError(`${url} answered ${response.status}${detail}. Set FACADE_API_KEY to a key the facade accepts (and --key-header when its auth.header is not X-API-Key).`)
  return new ExportError(`${url} answered ${response.status}${problem?.code ? ` ${problem.code}` : ''}${detail}`)
}

/** Downloads and unpacks one server's package into `dir`; returns the report lines. */
async function exportOne(base: string, dir: string, label: string, options: FromFacadeOptions): Promise<string | 'not-found'> {
  const query = new URLSearchParams()
  if (options.mcpOnly) query.set('mcpOnly', 'true')
  if (options.allowHttp) query.set('allowHttp', 'true')
  const url = `${base}/connector/package${query.size ? `?${query}` : ''}`
  const response = await get(url, headersOf(options), options)
  if (response.status === 404) {
    await response.body?.cancel()
    return 'not-found'
  }
  if (!response.ok) throw await failure(response, url)
  let files: Record<string, Uint8Array>
  try {
    files = unzipSync(new Uint8Array(await response.arrayBuffer()))
  } catch (error) {
    throw new ExportError(`${url} did not answer a zip file: ${(error as Error).message}`)
  }
  const names = Object.keys(files)
  const bad = names.find((name) => !FILE_NAME.test(name))
  if (bad !== undefined || !names.includes('apiDefinition.swagger.json')) throw new ExportError(`${url} answered an unexpected package (${bad !== undefined ? `entry "${bad}"` : 'no apiDefinition.swagger.json'})`)
  mkdirSync(dir, { recursive: true })
  for (const name of names) writeFileSync(join(dir, name), files[name]!)
  const operations = Number(response.headers.get('x-connector-operations') ?? NaN)
  const warningsHeader = response.headers.get('x-connector-warnings')
  const warnings = warningsHeader ? (JSON.parse(decodeURIComponent(warningsHeader)) as string[]) : []
  const sizes = names.map((name) => `    ${name}: ${files[name]!.byteLength} bytes`).join('\n')
  const count = Number.isFinite(operations) ? ` (${plural(operations, 'operation')})` : ''
  return `${label}: ${dir}${count}, from ${url}\n${sizes}${warnings.length ? `\n  warnings:\n${warnings.map((w) => `    - ${w}`).join('\n')}` : ''}`
}

/**
 * Writes the connector folder(s) of the facade at `from` into `outDir`.
 * @param from the facade's base URL (a server's base, `https://facade.example.com/crm`, exports that server alone)
 * @returns the human-readable report
 * @throws ExportError with what to change
 */
export async function exportFromFacade(from: string, outDir: string, options: FromFacadeOptions = {}): Promise<string> {
  let base: URL
  try {
    base = new URL(from)
  } catch {
    throw new ExportError(`--from ${from} is not a URL (https://facade.example.com)`)
  }
  if (base.protocol !== 'https:' && !(options.allowHttp && base.protocol === 'http:')) throw new ExportError(`--from ${from} is not https (--allow-http for local tests only)`)
  if (base.username || base.password) throw new ExportError('--from must not carry credentials: set FACADE_API_KEY')
  const root = base.href.replace(/\/+$/, '')
  const single = await exportOne(root, outDir, base.pathname.replace(/^\/+|\/+$/g, '') || 'facade', options)
  if (single !== 'not-found') return single
  // Several servers: the root lists them (GET /) and each has its own package.
  const index = await get(`${root}/`, { ...headersOf(options), Accept: 'application/json' }, options)
  const listed = index.ok ? ((await index.json().catch(() => undefined)) as { servers?: { name: string; base: string }[] } | undefined) : undefined
  if (!listed?.servers?.length) throw new ExportError(`${root} has no GET /connector/package: is it an mcp-rest-facade, and this version or later?`)
  const lines: string[] = []
  for (const server of listed.servers) {
    const line = await exportOne(root + server.base, join(outDir, server.name), server.name, options)
    if (line === 'not-found') throw new ExportError(`${root + server.base}/connector/package answered 404`)
    lines.push(line)
  }
  return lines.join('\n')
}
