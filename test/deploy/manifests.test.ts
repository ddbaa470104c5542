/**
 * The Kubernetes manifests in deploy/kubernetes validate against the Kubernetes API schemas (kubernetes-models) and
 * fit together: two facade replicas probing /readyz and /healthz, a Service selecting them, Redis, every Secret key
 * the config needs, and a ConfigMap whose facade.json is a valid config for this version. The Dockerfile runs the
 * build script CI runs and keeps the image rules (non-root, HOST, PORT, health check).
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Deployment } from 'kubernetes-models/apps/v1'
import { ConfigMap, Secret, Service } from 'kubernetes-models/v1'
import { describe, expect, it } from 'vitest'
import { parseAllDocuments } from 'yaml'
import { loadConfig } from '../../src/config/load.js'

const root = fileURLToPath(new URL('../..', import.meta.url))
const dir = join(root, 'deploy/kubernetes')

type Doc = { apiVersion: string; kind: string; metadata: { name: string }; [k: string]: any }
const MODELS: Record<string, new (doc: any) => { validate(): void }> = {
  'apps/v1/Deployment': Deployment,
  'v1/Service': Service,
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
}

function load(): Doc[] {
  const files = readdirSync(dir).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml')
  return files.flatMap((f) =>
    parseAllDocuments(readFileSync(join(dir, f), 'utf8')).map((d) => {
      expect(d.errors, f).toEqual([])
      return d.toJSON() as Doc
    }),
  )
}

describe('deploy/kubernetes', () => {
  const docs = load()
  const find = (kind: string, name: string) => docs.find((d) => d.kind === kind && d.metadata.name === name)!

  it('every object validates against its Kubernetes schema', () => {
    expect(docs.length).toBeGreaterThanOrEqual(6)
    for (const doc of docs) {
      const Model = MODELS[`${doc.apiVersion}/${doc.kind}`]
      expect(Model, `${doc.apiVersion} ${doc.kind}`).toBeDefined()
      expect(() => new Model!(doc).validate(), `${doc.kind}/${doc.metadata.name}`).not.toThrow()
    }
    // The schema check is real: a broken object is refused.
    const broken = structuredClone(find('Deployment', 'mcp-rest-facade'))
    broken.spec.replicas = 'two'
    expect(() => new Deployment(broken).validate()).toThrow()
  })

  it('the kustomization lists every manifest file', () => {
    const listed = (parseAllDocuments(readFileSync(join(dir, 'kustomization.yaml'), 'utf8'))[0]!.toJSON() as { resources: string[] }).resources.sort()
    expect(listed).toEqual(readdirSync(dir).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml').sort())
  })

  it('runs two facade replicas with readiness on /readyz and liveness on /healthz, selected by the Service', () => {
    const deployment = find('Deployment', 'mcp-rest-facade')
    expect(deployment.spec.replicas).toBe(2)
    const container = deployment.spec.template.spec.containers[0]
    expect(container.readinessProbe.httpGet.path).toBe('/readyz')
    expect(container.livenessProbe.httpGet.path).toBe('/healthz')
    expect(deployment.spec.template.spec.securityContext.runAsNonRoot).toBe(true)
    const env = Object.fromEntries(container.env.map((e: { name: string; value: string }) => [e.name, e.value]))
    expect(env.HOST).toBe('0.0.0.0')
    const service = find('Service', 'mcp-rest-facade')
    expect(service.spec.selector).toEqual(deployment.spec.selector.matchLabels)
    expect(deployment.spec.template.metadata.labels).toMatchObject(deployment.spec.selector.matchLabels)
    const portNames = container.ports.map((p: { name: string }) => p.name)
    for (const p of service.spec.ports) expect(portNames).toContain(p.targetPort)
    // Redis is there and the REDIS_URL points at its Service.
    const redis = find('Service', 'mcp-rest-facade-redis')
    expect(env.REDIS_URL).toBe(`redis://${redis.metadata.name}:${redis.spec.ports[0].port}`)
    expect(find('Deployment', 'mcp-rest-facade-redis').spec.template.spec.containers[0].image).toMatch(/^redis:/)
  })

  it('the ConfigMap holds a valid config whose ${VARS} the Secret and env provide', () => {
    const deployment = find('Deployment', 'mcp-rest-facade')
    const container = deployment.spec.template.spec.containers[0]
    const secret = find('Secret', container.envFrom[0].secretRef.name)
    const configMap = find('ConfigMap', deployment.spec.template.spec.volumes[0].configMap.name)
    const mount = container.volumeMounts[0].mountPath as string
    const env: Record<string, string> = { ...secret.stringData }
    for (const e of container.env) env[e.name] = e.value
    expect(env.MCP_FACADE_CONFIG).toBe(`${mount}/facade.json`)
    expect(secret.stringData.FACADE_IDENTITY_SECRET.length).toBeGreaterThanOrEqual(16)

    const tmp = mkdtempSync(join(tmpdir(), 'facade-cm-'))
    try {
      const file = join(tmp, 'facade.json')
      writeFileSync(file, configMap.data['facade.json'])
      const config = loadConfig({}, { ...env, MCP_FACADE_CONFIG: file })
      expect(config.host).toBe('0.0.0.0')
      expect(config.sessions.store).toBe('redis')
      expect(config.sessions.redisUrl).toBe(env.REDIS_URL)
      expect(config.identitySecret).toBe(secret.stringData.FACADE_IDENTITY_SECRET)
      expect(config.metrics.port).toBe(container.ports.find((p: { name: string }) => p.name === 'metrics').containerPort)
      expect(config.servers.default!.auth.mode).toBe('apiKey')
    } finally {
      rmSync(tmp, { recursive: true, force: true })
    }
  })
})

describe('Dockerfile', () => {
  const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8')
  it('is multi-stage on node:24-slim (a supported LTS), builds with the script CI runs, runs as non-root with HOST, PORT and a health check', () => {
    expect(dockerfile.match(/^FROM node:24-slim/gm)).toHaveLength(2)
    expect(dockerfile).toContain('RUN bash scripts/build-image-rootfs.sh /out')
    expect(dockerfile).toMatch(/^USER node$/m)
    expect(dockerfile).toMatch(/HOST=0\.0\.0\.0/)
    expect(dockerfile).toMatch(/PORT=8080/)
    expect(dockerfile).toMatch(/^HEALTHCHECK .*\n.*\/healthz/m)
    expect(dockerfile).toMatch(/^CMD \["node", "dist\/cli\.js"\]$/m)
    expect(readFileSync(join(root, '.ci/run'), 'utf8')).toContain('scripts/build-image-rootfs.sh')
    // Everything the Dockerfile COPYs exists and is not excluded by .dockerignore.
    const ignored = readFileSync(join(root, '.dockerignore'), 'utf8').split('\n').filter((l) => l && !l.startsWith('#'))
    for (const m of dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm))
      for (const src of m[1]!.split(/\s+/)) expect(ignored, src).not.toContain(src)
  })
})

describe('deploy/azure/containerapp.yaml', () => {
  const app = parseAllDocuments(readFileSync(join(root, 'deploy/azure/containerapp.yaml'), 'utf8'))[0]!.toJSON() as any
  it('has https-only external ingress to the container port, two or more replicas, probes, and every secret it references', () => {
    const { configuration, template } = app.properties
    expect(configuration.ingress).toMatchObject({ external: true, targetPort: 8080, allowInsecure: false })
    expect(template.scale.minReplicas).toBeGreaterThanOrEqual(2)
    const container = template.containers[0]
    const probes = Object.fromEntries(container.probes.map((p: { type: string; httpGet: { path: string } }) => [p.type, p.httpGet.path]))
    expect(probes).toMatchObject({ Liveness: '/healthz', Readiness: '/readyz' })
    const secrets = new Set(configuration.secrets.map((s: { name: string }) => s.name))
    for (const e of container.env) if (e.secretRef) expect(secrets, e.name).toContain(e.secretRef)
    for (const v of template.volumes) for (const s of v.secrets) expect(secrets).toContain(s.secretRef)

    // The config it mounts is valid with the environment it gets.
    const env: Record<string, string> = {}
    for (const e of container.env) env[e.name] = e.value ?? configuration.secrets.find((s: { name: string }) => s.name === e.secretRef).value
    const tmp = mkdtempSync(join(tmpdir(), 'facade-aca-'))
    try {
      const file = join(tmp, 'facade.json')
      writeFileSync(file, configuration.secrets.find((s: { name: string }) => s.name === 'facade-config').value)
      const config = loadConfig({}, { ...env, MCP_FACADE_CONFIG: file })
      expect(config.sessions).toMatchObject({ store: 'redis', redisUrl: env.REDIS_URL })
      expect(config.metrics.key).toBe(env.METRICS_KEY)
    } finally {
      rmSync(tmp, { recursive: true, force: true })
    }
  })
})
