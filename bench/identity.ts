/**
 * @module bench/identity
 * `npm run bench:identity`: what caller identity and delegation cost, on loopback, bounded in count and time.
 *
 * 1. Per-call cost of the cached paths, measured on the functions themselves (no HTTP noise): a token the verifier
 *    has already validated, and a delegated token already in the cache (`tokenFor` hit: a SHA-256 of the inbound
 *    token and a map lookup).
 * 2. The same through HTTP, interleaved in one run: `POST /tools/echo` at c=1 through a facade with an API key (the
 *    vendor called with a static token) and through a facade with `auth.mode: "jwt"` + On-Behalf-Of (the vendor
 *    called with each user's delegated token), both after warm-up; the p50 difference is what identity adds per call.
 * 3. Exchanges under load: U users, each with T successive tokens (a refresh), C calls per token, 32 at a time: the
 *    number of token requests the issuer saw, against U × T (one per user and token: one per user per hour with
 *    hourly refreshes).
 * Prints a Markdown table and writes `bench/identity-results.json`.
 */
import { writeFileSync } from 'node:fs'
import { Agent, request } from 'node:http'
import { performance } from 'node:perf_hooks'
import { ConfigSchema } from '../src/config/schema.js'
import { JwtVerifier } from '../src/identity/jwt-verifier.js'
import { DelegatedTokens } from '../src/identity/delegation/index.js'
import { createLogger } from '../src/log.js'
import { startFacade, type RunningFacade } from '../src/server.js'
import { startSessionfulVendor } from '../test/fixtures/sessionful-vendor.js'
import { startTokenIssuer } from '../test/fixtures/token-issuer.js'

const SECRET = 'bench-client-secret-0123456789'
const API_KEY = 'bench-api-key-0123456789abcdef'
const STATIC_VENDOR_TOKEN = 'static-vendor-token'
const watchdog = setTimeout(() => {
  console.error('bench:identity: watchdog (120 s) fired')
  process.exit(2)
}, 120_000)
watchdog.unref()

const agent = new Agent({ keepAlive: true, maxSockets: 64 })
/** POST JSON with headers; resolves with the status. */
function post(url: URL, headers: Record<string, string>, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ hostname: url.hostname, port: url.port, path: url.pathname, method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers } }, (res) => {
      res.resume()
      res.on('end', () => resolve(res.statusCode ?? 0))
    })
    req.setTimeout(10_000, () => req.destroy(new Error('timeout')))
    req.on('error', reject)
    req.end(body)
  })
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const p99 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.99)]!

/** ns per call of `fn` over `n` calls, after a warm-up. */
async function nsPerCall(n: number, fn: () => unknown): Promise<number> {
  for (let i = 0; i < 1000; i++) await fn()
  const started = performance.now()
  for (let i = 0; i < n; i++) await fn()
  return ((performance.now() - started) * 1e6) / n
}

async function main() {
  const issuer = await startTokenIssuer({ client: { clientId: 'facade-app', clientSecret: SECRET } })
  const vendor = await startSessionfulVendor({ enableJsonResponse: true, requireBearer: (t) => t === STATIC_VENDOR_TOKEN || issuer.issuedFor(t) === 'api://vendor' })
  const userToken = await issuer.sign({ oid: 'bench-user' })

  // 1. The cached paths, on the functions themselves.
  const verifier = new JwtVerifier({ issuer: issuer.issuer, audience: 'api://facade', algorithms: ['RS256'], identityClaims: ['tid', 'oid'], clockToleranceSeconds: 60 })
  await verifier.verify(userToken)
  const verifyHitNs = await nsPerCall(200_000, () => verifier.verify(userToken))
  const delegated = new DelegatedTokens({
    grant: {
      delegation: { grant: 'on_behalf_of', cacheSize: 10_000 },
      client: { method: 'client_secret_post', clientId: 'facade-app', clientSecret: SECRET },
      tokenUrl: issuer.tokenUrl,
      scope: 'api://vendor/.default',
      vendorUrl: vendor.url,
      discover: () => Promise.reject(new Error('not used')),
    },
    refreshSkewSeconds: 30,
    cacheSize: 10_000,
  })
  await delegated.tokenFor('id_bench', userToken)
  const exchangeHitNs = await nsPerCall(200_000, () => delegated.tokenFor('id_bench', userToken))

  // 2. Through HTTP, interleaved.
  const log = createLogger('silent')
  const start = (server: Record<string, unknown>) => startFacade(ConfigSchema.parse({ port: 0, host: '127.0.0.1', shutdownGraceMs: 1000, servers: { default: { url: vendor.url, ...server } } }), log)
  const keyed = await start({ auth: { mode: 'apiKey', keys: [API_KEY] }, headers: { Authorization: `Bearer ${STATIC_VENDOR_TOKEN}` } })
  const obo = await start({
    auth: { mode: 'jwt', issuer: issuer.issuer, audience: 'api://facade', identityClaims: ['tid', 'oid'] },
    oauth: { tokenUrl: issuer.tokenUrl, clientId: 'facade-app', clientSecret: SECRET, scope: 'api://vendor/.default', delegation: { grant: 'on_behalf_of' } },
  })
  const targets: Array<{ name: string; facade: RunningFacade; headers: Record<string, string>; samples: number[] }> = [
    { name: 'apiKey (static vendor token)', facade: keyed, headers: { 'x-api-key': API_KEY }, samples: [] },
    { name: 'jwt + on-behalf-of (cached)', facade: obo, headers: { authorization: `Bearer ${userToken}` }, samples: [] },
  ]
  const body = JSON.stringify({ message: 'bench' })
  for (const t of targets) for (let i = 0; i < 300; i++) if ((await post(new URL(t.facade.url + '/tools/echo'), t.headers, body)) !== 200) throw new Error(`${t.name}: call failed`)
  const rounds = 6
  for (let r = 0; r < rounds; r++)
    for (const t of r % 2 ? [...targets].reverse() : targets) {
      const url = new URL(t.facade.url + '/tools/echo')
      for (let i = 0; i < 400; i++) {
        const started = performance.now()
        const status = await post(url, t.headers, body)
        t.samples.push(performance.now() - started)
        if (status !== 200) throw new Error(`${t.name}: call failed with ${status}`)
      }
    }

  // 3. Exchanges under load: users × tokens × calls, 32 at a time, through the OBO facade.
  const users = 200
  const tokensPerUser = 2
  const callsPerToken = 10
  const before = issuer.requests().filter((r) => r.fields.requested_token_use === 'on_behalf_of').length
  const work: Array<() => Promise<number>> = []
  for (let u = 0; u < users; u++)
    for (let k = 0; k < tokensPerUser; k++) {
      const token = await issuer.sign({ oid: `load-user-${u}` })
      for (let c = 0; c < callsPerToken; c++) work.push(() => post(new URL(obo.url + '/tools/echo'), { authorization: `Bearer ${token}` }, body))
    }
  const loadStarted = performance.now()
  let next = 0
  let failed = 0
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (next < work.length) if ((await work[next++]!()) !== 200) failed++
    }),
  )
  const loadSeconds = (performance.now() - loadStarted) / 1000
  const exchanges = issuer.requests().filter((r) => r.fields.requested_token_use === 'on_behalf_of').length - before

  const [base, identity] = targets as [(typeof targets)[0], (typeof targets)[0]]
  const results = {
    date: new Date().toISOString(),
    node: process.version,
    cachedVerifyNsPerCall: Math.round(verifyHitNs),
    cachedExchangeNsPerCall: Math.round(exchangeHitNs),
    http: targets.map((t) => ({ name: t.name, calls: t.samples.length, p50Ms: +median(t.samples).toFixed(3), p99Ms: +p99(t.samples).toFixed(3) })),
    addedP50Ms: +(median(identity.samples) - median(base.samples)).toFixed(3),
    load: { users, tokensPerUser, callsPerToken, calls: work.length, concurrency: 32, seconds: +loadSeconds.toFixed(2), failed, exchanges, exchangesPerUserToken: +(exchanges / (users * tokensPerUser)).toFixed(3) },
  }
  console.log('| measure | value |\n|---|---|')
  console.log(`| cached token validation (verifier hit) | ${results.cachedVerifyNsPerCall} ns/call |`)
  console.log(`| cached delegated token (tokenFor hit) | ${results.cachedExchangeNsPerCall} ns/call |`)
  for (const h of results.http) console.log(`| ${h.name}, c=1 over ${h.calls} calls | p50 ${h.p50Ms} ms, p99 ${h.p99Ms} ms |`)
  console.log(`| added p50 per call (jwt + OBO − apiKey) | ${results.addedP50Ms} ms |`)
  console.log(`| load: ${users} users × ${tokensPerUser} tokens × ${callsPerToken} calls at c=32 | ${work.length} calls in ${results.load.seconds} s, ${failed} failed, ${exchanges} exchanges (${results.load.exchangesPerUserToken} per user and token) |`)
  writeFileSync(new URL('./identity-results.json', import.meta.url), JSON.stringify(results, null, 2) + '\n')
  await Promise.all([keyed.close(), obo.close()])
  agent.destroy()
  await vendor.close()
  await issuer.close()
  if (failed) process.exitCode = 1
}

main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
