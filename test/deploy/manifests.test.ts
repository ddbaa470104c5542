/**
 * The Kubernetes manifests in deploy/kubernetes validate against the Kubernetes API schemas (kubernetes-models) and
 * fit together: two facade replicas probing /readyz and /healthz, a Service selecting them, Redis behind a password
 * and a NetworkPolicy, a writable volume for the code cache under a read-only root, a Secret generated from a local
 * file (no committed secret values, no placeholder) that names every key the manifests and the config need, and a
 * ConfigMap whose facade.json is a valid config for this version. The Container Apps YAML pulls and reads Key Vault
 * with a user-assigned identity. The Dockerfile runs the build script CI runs and keeps the image rules (non-root,
 * HOST, PORT, health check).
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { randomBytes } from 'node:crypto'
import { Deployment } from 'kubernetes-models/apps/v1'
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1'
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
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
}

/** The keys of deploy/kubernetes/secrets.env.example, with their (committed) values. */
function secretKeys(): Record<string, string> {
  const lines = readFileSync(join(dir, 'secrets.env.example'), 'utf8').split('\n').filter((l) => l.trim() && !l.startsWith('#'))
  return Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]))
}

/** A value for each key, as an operator would generate it (`openssl rand -hex 32`); URLs where a URL is expected. */
const generated = (keys: string[]) => Object.fromEntries(keys.map((k) => [k, k.endsWith('_URL') ? 'https://vendor.example.com/mcp' : randomBytes(32).toString('hex')]))

/** `$(VAR)` references in a container's env values, expanded the way the kubelet does. */
function containerEnv(container: { env: { name: string; value?: string; valueFrom?: { secretKeyRef: { key: string } } }[] }, secret: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = { ...secret }
  for (const e of container.env) env[e.name] = e.valueFrom ? secret[e.valueFrom.secretKeyRef.key]! : e.value!.replace(/\$\((\w+)\)/g, (_, n: string) => env[n] ?? `$(${n})`)
  return env
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

  it('the kustomization lists every manifest file and generates the Secret from a gitignored file, never a committed one', () => {
    const kustomization = parseAllDocuments(readFileSync(join(dir, 'kustomization.yaml'), 'utf8'))[0]!.toJSON() as {
      resources: string[]
      secretGenerator: { name: string; envs: string[] }[]
    }
    expect(kustomization.resources.sort()).toEqual(readdirSync(dir).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml').sort())
    expect(docs.filter((d) => d.kind === 'Secret')).toEqual([])
    expect(kustomization.secretGenerator).toEqual([{ name: 'mcp-rest-facade-secrets', envs: ['secrets.env'] }])
    expect(readFileSync(join(root, '.gitignore'), 'utf8').split('\n')).toContain('deploy/kubernetes/secrets.env')
    // The example names every key and holds no value: nothing in the repo could be deployed as a key.
    const example = secretKeys()
    expect(Object.keys(example).sort()).toEqual(['FACADE_API_KEY', 'FACADE_IDENTITY_SECRET', 'REDIS_PASSWORD', 'VENDOR_TOKEN', 'VENDOR_URL'])
    expect(Object.values(example).every((v) => v === '')).toBe(true)
  })

  it('Redis requires the password from the Secret and accepts connections from the facade pods only', () => {
    const redis = find('Deployment', 'mcp-rest-facade-redis').spec.template.spec.containers[0]
    const script = redis.command.join(' ')
    expect(script).toContain('requirepass $REDIS_PASSWORD')
    expect(script).toMatch(/\[ -n "\$REDIS_PASSWORD" \] \|\| \{[^}]*exit 1/)
    expect(redis.env).toContainEqual({ name: 'REDIS_PASSWORD', valueFrom: { secretKeyRef: { name: 'mcp-rest-facade-secrets', key: 'REDIS_PASSWORD' } } })
    expect(redis.readinessProbe.exec.command.join(' ')).toContain('REDISCLI_AUTH')
    const policy = find('NetworkPolicy', 'mcp-rest-facade-redis')
    expect(policy.spec.podSelector.matchLabels).toEqual(find('Deployment', 'mcp-rest-facade-redis').spec.selector.matchLabels)
    expect(policy.spec.policyTypes).toEqual(['Ingress'])
    expect(policy.spec.ingress).toEqual([{ from: [{ podSelector: { matchLabels: find('Deployment', 'mcp-rest-facade').spec.selector.matchLabels } }], ports: [{ protocol: 'TCP', port: 6379 }] }])
  })

  it('gives the code cache (and /tmp) a writable volume under the read-only root file system', () => {
    const pod = find('Deployment', 'mcp-rest-facade').spec.template.spec
    const container = pod.containers[0]
    expect(container.securityContext.readOnlyRootFilesystem).toBe(true)
    const cacheDir = container.env.find((e: { name: string }) => e.name === 'FACADE_CODE_CACHE_DIR').value as string
    const writable = container.volumeMounts.filter((m: { name: string; readOnly?: boolean }) => !m.readOnly && pod.volumes.find((v: { name: string }) => v.name === m.name)?.emptyDir)
    // A sub-directory of the mount: the facade creates it 0700 (an emptyDir itself is world-writable, which it refuses).
    expect(writable.some((m: { mountPath: string }) => cacheDir.startsWith(m.mountPath + '/'))).toBe(true)
    expect(writable.map((m: { mountPath: string }) => m.mountPath)).toContain('/tmp')
  })

  it('runs two facade replicas with readiness on /readyz and liveness on /healthz, selected by the Service', () => {
    const deployment = find('Deployment', 'mcp-rest-facade')
    expect(deployment.spec.replicas).toBe(2)
    const container = deployment.spec.template.spec.containers[0]
    expect(container.readinessProbe.httpGet.path).toBe('/readyz')
    expect(container.livenessProbe.httpGet.path).toBe('/healthz')
    expect(deployment.spec.template.spec.securityContext.runAsNonRoot).toBe(true)
    const env = containerEnv(container, generated(Object.keys(secretKeys())))
    expect(env.HOST).toBe('0.0.0.0')
    const service = find('Service', 'mcp-rest-facade')
    expect(service.spec.selector).toEqual(deployment.spec.selector.matchLabels)
    expect(deployment.spec.template.metadata.labels).toMatchObject(deployment.spec.selector.matchLabels)
    const portNames = container.ports.map((p: { name: string }) => p.name)
    for (const p of service.spec.ports) expect(portNames).toContain(p.targetPort)
    // Redis is there and the REDIS_URL points at its Service.
    const redis = find('Service', 'mcp-rest-facade-redis')
    expect(env.REDIS_URL).toBe(`redis://:${env.REDIS_PASSWORD}@${redis.metadata.name}:${redis.spec.ports[0].port}`)
    expect(find('Deployment', 'mcp-rest-facade-redis').spec.template.spec.containers[0].image).toMatch(/^redis:/)
  })

  it('the ConfigMap holds a valid config whose ${VARS} the Secret and env provide', () => {
    const deployment = find('Deployment', 'mcp-rest-facade')
    const container = deployment.spec.template.spec.containers[0]
    expect(container.envFrom[0].secretRef.name).toBe('mcp-rest-facade-secrets')
    const secret = generated(Object.keys(secretKeys()))
    const configMap = find('ConfigMap', deployment.spec.template.spec.volumes[0].configMap.name)
    const mount = container.volumeMounts[0].mountPath as string
    const env = containerEnv(container, secret)
    expect(env.MCP_FACADE_CONFIG).toBe(`${mount}/facade.json`)
    // Every ${VAR} of the config is a key of the Secret (or set by the Deployment).
    for (const [, name] of (configMap.data['facade.json'] as string).matchAll(/\$\{(\w+)\}/g)) expect(Object.keys(env), name).toContain(name)

    const tmp = mkdtempSync(join(tmpdir(), 'facade-cm-'))
    try {
      const file = join(tmp, 'facade.json')
      writeFileSync(file, configMap.data['facade.json'])
      const config = loadConfig({}, { ...env, MCP_FACADE_CONFIG: file })
      expect(config.host).toBe('0.0.0.0')
      expect(config.sessions.store).toBe('redis')
      expect(config.sessions.redisUrl).toBe(env.REDIS_URL)
      expect(config.identitySecret).toBe(secret.FACADE_IDENTITY_SECRET)
      // An empty key (a secrets.env left as the example) is refused: no placeholder ever serves.
      expect(() => loadConfig({}, { ...env, FACADE_API_KEY: '', MCP_FACADE_CONFIG: file })).toThrow(/at least 16 characters/)
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
  it('pulls and reads Key Vault with a user-assigned identity (granted before the app exists), no secret value in the file', () => {
    const [identity] = Object.keys(app.identity.userAssignedIdentities)
    expect(app.identity.type).toBe('UserAssigned')
    expect(identity).toMatch(/\/providers\/Microsoft\.ManagedIdentity\/userAssignedIdentities\//)
    const { configuration } = app.properties
    for (const registry of configuration.registries) expect(registry.identity).toBe(identity)
    for (const secret of configuration.secrets) {
      if (secret.name === 'facade-config') {
        expect(secret.value).not.toMatch(/replace-with/)
        continue
      }
      expect(secret, secret.name).toEqual({ name: secret.name, keyVaultUrl: expect.stringMatching(/^https:\/\/.+\.vault\.azure\.net\/secrets\/[\w-]+$/), identity })
    }
    // The documented order: identity, AcrPull and Key Vault role before `az containerapp create`.
    const doc = readFileSync(join(root, 'docs/deploy.md'), 'utf8')
    const at = (s: string) => doc.indexOf(s)
    expect(at('az identity create')).toBeGreaterThan(0)
    expect(at('--role AcrPull')).toBeGreaterThan(at('az identity create'))
    expect(at('"Key Vault Secrets User"')).toBeGreaterThan(at('az identity create'))
    expect(at('az containerapp create')).toBeGreaterThan(Math.max(at('--role AcrPull'), at('"Key Vault Secrets User"')))
  })

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
    // Key Vault secrets: values as an operator generates them.
    for (const e of container.env) env[e.name] = e.value ?? (e.name === 'REDIS_URL' ? 'rediss://:k@cache.redis.cache.windows.net:6380' : randomBytes(32).toString('hex'))
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
