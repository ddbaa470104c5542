/**
 * @module config/schema
 * The whole configuration as one zod schema. Defaults live here and only here.
 */
import { z } from 'zod'
import { hasForbiddenHeaderChars, isNeverForwarded, isTransportManaged } from '../security/header-rules.js'

/** Socket pool sizing of an HTTP upstream server (config `servers.<name>.pool`). */
export interface PoolSizing {
  maxConnections: number
  idleConnections: number
  keepAliveMs: number
}

/**
 * Defaults of `pool`. 2,048 busy sockets: 16 times the concurrency where the former single bound of 64 halved
 * throughput against a 100 ms vendor, and with the inbound socket of each call about 4,096 descriptors, a common
 * hard `nofile` limit (Node raises the soft limit to it). 64 idle sockets: what kept 10,000 idle sessions at a
 * few dozen sockets.
 */
export const POOL_DEFAULTS: PoolSizing = { maxConnections: 2048, idleConnections: 64, keepAliveMs: 30_000 }

/** Resolves `pool` (with its deprecated `connections`) into its two bounds. */
function poolSizing(
  p: { maxConnections?: number; idleConnections?: number; connections?: number; keepAliveMs: number },
  ctx: z.RefinementCtx,
): PoolSizing {
  if (p.connections !== undefined && p.maxConnections !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['connections'], message: 'pool.connections is the former name of pool.maxConnections: set only maxConnections (and idleConnections)' })
    return z.NEVER
  }
  const maxConnections = p.connections ?? p.maxConnections ?? POOL_DEFAULTS.maxConnections
  // Before the split, `connections` bounded idle sockets too: a config that still says it keeps that meaning.
  const idleConnections = p.idleConnections ?? p.connections ?? POOL_DEFAULTS.idleConnections
  if (idleConnections > maxConnections) {
    ctx.addIssue({ code: 'custom', path: ['idleConnections'], message: `idleConnections (${idleConnections}) cannot be above maxConnections (${maxConnections})` })
    return z.NEVER
  }
  return { maxConnections, idleConnections, keepAliveMs: p.keepAliveMs }
}

/**
 * Bases shared by many fields below. zod schemas are immutable (`.default()`, `.max()`, `.describe()` each build a
 * new one around or from them), so sharing changes nothing they accept; it saves some 150 of the schema's zod
 * constructions, which run at every start.
 */
const positiveInt = z.number().int().positive()
const nonNegativeInt = z.number().int().min(0)
const nonEmptyString = z.string().min(1)
const urlString = z.string().url()

/** A host name or address as in a `Host` header: `name`, `1.2.3.4` or `[::1]`, optionally `:port`. */
const HOST_NAME = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/
const headerName = z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'not a valid HTTP header name')

/** True for `localhost`, `127.x.y.z` and `::1`: the hosts where plain http is accepted for identity endpoints (tests). */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase()
  return h === 'localhost' || h === '::1' || /^127\./.test(h)
}

/** An https URL (http only on loopback): issuers, key sets and token endpoints must not be reachable in clear text. */
const secureUrl = z
  .string()
  .url()
  .refine((u) => !URL.canParse(u) || new URL(u).protocol === 'https:' || (new URL(u).protocol === 'http:' && isLoopbackHost(new URL(u).hostname)), 'must be an https URL (http only on loopback hosts)')

/** Asymmetric JWS algorithms accepted for caller tokens. */
export const TOKEN_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'] as const

/**
 * How the generated connector signs users in (Swagger 2.0 `oauth2` accessCode, paconn `oauthSetting`, OpenAPI
 * `oauth2`). `aad` is Microsoft Entra ID: the connector then uses Power Platform's Entra ID identity provider, with
 * on-behalf-of login when `onBehalfOfLogin` is set.
 */
export const ConnectorSignInSchema = z
  .object({
    identityProvider: z.enum(['aad', 'oauth2']).default('aad'),
    /** The connector's own app registration (the client that signs users in). */
    clientId: nonEmptyString,
    /** Entra ID tenant (GUID, or `common` for multi-tenant). Required for `aad`. */
    tenantId: nonEmptyString.optional(),
    /** The facade's App ID URI (`api://<facade-app>`): the audience the connector asks tokens for. */
    resourceUri: nonEmptyString.optional(),
    /** Scopes the connector asks for, with descriptions. */
    scopes: z.record(z.string(), z.string()).default({}),
    /** Power Platform on-behalf-of login (`enableOnbehalfOfLogin`, Copilot Studio end-user sign-in). */
    onBehalfOfLogin: z.boolean().default(false),
    /** Generic providers: where users sign in and where codes are redeemed. Entra ID's are derived from the tenant. */
    authorizationUrl: urlString.optional(),
    tokenUrl: urlString.optional(),
    refreshUrl: urlString.optional(),
  })
  .strict()
  .superRefine((o, ctx) => {
    if (o.identityProvider === 'aad' && !o.tenantId) ctx.addIssue({ code: 'custom', path: ['tenantId'], message: 'identityProvider "aad" needs tenantId' })
    if (o.identityProvider === 'oauth2' && (!o.authorizationUrl || !o.tokenUrl))
      ctx.addIssue({ code: 'custom', path: ['authorizationUrl'], message: 'identityProvider "oauth2" needs authorizationUrl and tokenUrl' })
  })

/** Inbound authentication: who may call the facade. */
export const InboundAuthSchema = z
  .discriminatedUnion('mode', [
    z.object({ mode: z.literal('none') }).strict(),
    z
      .object({
        mode: z.literal('apiKey'),
        /** Accepted keys (`${ENV_VAR}` interpolation applies). */
        keys: z
          .array(
            z
              .string()
              .min(16, 'API keys must be at least 16 characters')
              // A key read from a file often ends in a newline; header values arrive trimmed, so it could never match.
              .regex(/^[\x21-\x7e]+$/, 'API keys must be printable ASCII without spaces'),
          )
          .min(1),
        /** Header that carries the key. `Authorization` means `Authorization: Bearer <key>`. */
        header: headerName.default('X-API-Key'),
      })
      .strict(),
    z
      .object({
        mode: z.literal('passthrough'),
        /** Header carrying the caller's credential; the facade does not judge it, the vendor does. */
        header: headerName.default('Authorization'),
        /** Describes the OAuth provider in the connector (an `oauth2` connection); omit for an API-key style connection. */
        oauth: z
          .object({
            authorizationUrl: urlString,
            tokenUrl: urlString,
            refreshUrl: urlString.optional(),
            scopes: z.record(z.string(), z.string()).default({}),
            clientId: z.string().default('<client id>'),
          })
          .strict()
          .optional(),
      })
      .strict(),
    z
      .object({
        mode: z.literal('jwt'),
        /**
         * Accepted token issuers (`iss`), e.g. `https://login.microsoftonline.com/<tenant>/v2.0` and, for v1 tokens,
         * `https://sts.windows.net/<tenant>/`. https only (loopback hosts excepted, for tests).
         */
        issuer: z.union([secureUrl, z.array(secureUrl).min(1)]),
        /** Signing keys. Default: the `jwks_uri` of each issuer's OpenID configuration (`/.well-known/openid-configuration`). */
        jwksUri: secureUrl.optional(),
        /** Accepted audiences (`aud`): Entra v1 tokens carry the App ID URI (`api://…`), v2 tokens the client id (GUID). */
        audience: z.union([nonEmptyString, z.array(nonEmptyString).min(1)]),
        /** Accepted signature algorithms (asymmetric only: `none` and HMAC are never accepted). */
        algorithms: z.array(z.enum(TOKEN_ALGORITHMS)).min(1).default(['RS256']),
        /**
         * Claims whose values make the caller's identity: immutable ones. Entra ID: `["tid", "oid"]`; generic OpenID
         * Connect: `["iss", "sub"]` (OIDC Core §5.7). Never `upn`, `email` or `preferred_username`: they change.
         */
        identityClaims: z.array(nonEmptyString).min(1).default(['iss', 'sub']),
        /** Allowed clock skew for `exp` and `nbf`. */
        clockToleranceSeconds: nonNegativeInt.max(600).default(60),
        /** How the connector and the documents sign users in (Swagger `oauth2`, paconn `oauthSetting`). */
        oauth: ConnectorSignInSchema.optional(),
      })
      .strict(),
  ])
  .default({ mode: 'none' })

/** JWS algorithms `private_key_jwt` can sign with (what the SDK's signer imports from a PKCS#8 PEM or a JWK). */
const JWT_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512'] as const

const TOKEN_TYPE = z.enum([
  'urn:ietf:params:oauth:token-type:access_token',
  'urn:ietf:params:oauth:token-type:jwt',
  'urn:ietf:params:oauth:token-type:id_token',
])

/**
 * Delegation: how the caller's inbound token becomes a token for the vendor.
 * - `on_behalf_of`: Microsoft Entra ID OBO (`grant_type=…jwt-bearer`, `requested_token_use=on_behalf_of`) at `tokenUrl`;
 * - `token_exchange`: RFC 8693 at `tokenUrl` (`audience`/`resource` name the vendor);
 * - `id_jag`: Enterprise-Managed Authorization (SEP-990): RFC 8693 at the IdP for an ID-JAG, then a JWT-bearer grant
 *   at the vendor's authorization server (`tokenUrl`/`issuer`, else discovered from the vendor, RFC 9728).
 */
const delegationCommon = {
  /**
   * What the catalog (tools/list for the documents) runs with: the facade's own client credentials, or the
   * credential of the first authenticated caller (for vendors that admit only user tokens; the documents then show
   * what that caller may see). Default: `caller` for `id_jag`, else `client_credentials`.
   */
  catalog: z.enum(['client_credentials', 'caller']).optional(),
  /** Most cached delegated tokens (one per caller and inbound token). */
  cacheSize: positiveInt.default(10_000),
}

const DelegationSchema = z.discriminatedUnion('grant', [
  z.object({ grant: z.literal('on_behalf_of'), ...delegationCommon }).strict(),
  z
    .object({
      grant: z.literal('token_exchange'),
      audience: nonEmptyString.optional(),
      resource: urlString.optional(),
      subjectTokenType: TOKEN_TYPE.default('urn:ietf:params:oauth:token-type:access_token'),
      requestedTokenType: TOKEN_TYPE.optional(),
      ...delegationCommon,
    })
    .strict(),
  z
    .object({
      grant: z.literal('id_jag'),
      /** The enterprise IdP's token endpoint and the facade's client there. */
      idp: z
        .object({
          tokenUrl: secureUrl,
          clientId: nonEmptyString,
          clientSecret: nonEmptyString.optional(),
          scope: z.string().optional(),
          subjectTokenType: TOKEN_TYPE.default('urn:ietf:params:oauth:token-type:id_token'),
        })
        .strict(),
      /** The ID-JAG's `aud`: the vendor's authorization server issuer. Default: discovered. */
      audience: nonEmptyString.optional(),
      /** The ID-JAG's `resource`: the vendor's MCP resource. Default: the vendor's protected-resource metadata, else its URL. */
      resource: urlString.optional(),
      ...delegationCommon,
    })
    .strict(),
])

/** Delegation settings (validated). */
export type DelegationConfig = z.infer<typeof DelegationSchema>

/** OAuth 2.0 client credentials toward the vendor (`client_secret_basic` or `private_key_jwt`). */
export const OutboundOAuthSchema = z
  .object({
    /**
     * Token endpoint. When omitted, it comes from the authorization server metadata of `issuer`, or, without
     * `issuer`, from the vendor's protected-resource metadata (RFC 9728): the vendor then chooses where the
     * client credentials go, so pin `tokenUrl` or `issuer` in production.
     */
    tokenUrl: urlString.optional(),
    /** The authorization server's issuer (RFC 8414). Pins which server may receive the client credentials. */
    issuer: urlString.optional(),
    clientId: nonEmptyString,
    /** `client_secret_basic` (`${ENV_VAR}` interpolation applies). */
    clientSecret: nonEmptyString.optional(),
    /** `private_key_jwt`: PKCS#8 PEM private key (or `${ENV_VAR}`; literal `\n` escapes, as CI secrets often hold them, become newlines). */
    privateKey: z
      .string()
      .min(1)
      .transform((pem) => (pem.includes('\n') ? pem : pem.replace(/\\n/g, '\n')))
      .optional(),
    algorithm: z.enum(JWT_ALGORITHMS).default('RS256'),
    /**
     * PEM of the X.509 certificate `privateKey` belongs to (or `${ENV_VAR}`): assertions then name it in their
     * header (`x5t`, `x5t#S256`), as Microsoft Entra ID requires for certificate credentials.
     */
    certificate: z
      .string()
      .min(1)
      .transform((pem) => (pem.includes('\n') ? pem : pem.replace(/\\n/g, '\n')))
      .optional(),
    scope: z.string().optional(),
    /** RFC 8707 resource indicator to request the token for. Default: the vendor's metadata `resource` when discovered. */
    resource: urlString.optional(),
    /**
     * Workload identity (`AZURE_FEDERATED_TOKEN_FILE` style): a file holding a platform-issued JWT that the platform
     * rotates. Read again whenever a token is requested, and sent as the client assertion (RFC 7523 client
     * authentication), or, with `grant: "jwt_bearer"`, as the grant itself (SEP-1933).
     */
    clientAssertionFile: nonEmptyString.optional(),
    /**
     * The facade's own grant toward the vendor (catalog and, without delegation, every call): `client_credentials`,
     * or `jwt_bearer` (SEP-1933 workload identity: the assertion from `clientAssertionFile` is the grant, and the
     * client authenticates with nothing else).
     */
    grant: z.enum(['client_credentials', 'jwt_bearer']).default('client_credentials'),
    /**
     * How the client secret is sent: HTTP Basic or in the form body. Default: the form body for `on_behalf_of` (what
     * Entra ID documents), HTTP Basic otherwise (what RFC 6749 requires servers to support).
     */
    tokenEndpointAuthMethod: z.enum(['client_secret_basic', 'client_secret_post']).optional(),
    /** Refresh this long before the token expires (at most half the token lifetime, so short tokens are still reused). */
    refreshSkewSeconds: nonNegativeInt.default(30),
    /** Call the vendor on the caller's behalf: every caller gets a token of its own, exchanged from its inbound token. */
    delegation: DelegationSchema.optional(),
  })
  .strict()
  .superRefine((o, ctx) => {
    const methods = [o.clientSecret, o.privateKey, o.clientAssertionFile].filter((m) => m !== undefined).length
    if (o.certificate && !o.privateKey) ctx.addIssue({ code: 'custom', path: ['certificate'], message: 'certificate goes with privateKey (the key it certifies)' })
    if (o.grant === 'jwt_bearer') {
      if (!o.clientAssertionFile) ctx.addIssue({ code: 'custom', path: ['clientAssertionFile'], message: 'grant "jwt_bearer" needs clientAssertionFile (the workload JWT)' })
      if (o.clientSecret || o.privateKey) ctx.addIssue({ code: 'custom', path: ['grant'], message: 'grant "jwt_bearer" authenticates with the assertion alone: remove clientSecret and privateKey' })
      if (o.delegation) ctx.addIssue({ code: 'custom', path: ['delegation'], message: 'delegation needs a confidential client (clientSecret, privateKey or clientAssertionFile), not grant "jwt_bearer"' })
    } else if (methods !== 1) ctx.addIssue({ code: 'custom', message: 'set exactly one of clientSecret, privateKey or clientAssertionFile' })
    const grant = o.delegation?.grant
    if ((grant === 'on_behalf_of' || grant === 'token_exchange') && !o.tokenUrl)
      ctx.addIssue({ code: 'custom', path: ['tokenUrl'], message: `delegation "${grant}" needs tokenUrl (the identity provider's token endpoint)` })
  })

/**
 * Questions a vendor asks mid-call (elicitation, 2026-07-28 input_required), for calls that opt in with
 * `Prefer: input-required`. Given at the top level (defaults for every server) and per server (overrides).
 * See docs/interaction.md.
 */
export const InteractionConfigSchema = z
  .object({
    /** `ask`: opted-in calls declare elicitation (form and url) and hand questions to the caller; `off`: never. */
    elicitation: z.enum(['ask', 'off']).optional(),
    /** How long a question waits for its answer (2025 vendors: at most until shortly before their own request timeout). */
    answerTtlSeconds: positiveInt.max(7 * 24 * 3600).optional(),
    /** Most rounds of questions one call may ask. */
    maxRounds: positiveInt.max(100).optional(),
    /** Roots answered to a vendor's `roots/list` (from configuration only; never asked of the caller). */
    roots: z.array(z.object({ uri: urlString, name: z.string().optional() }).strict()).optional(),
    /**
     * The vendor's own timeout of its `elicitation/create` (60 s in the SDKs unless the vendor raised it): a 2025
     * question unanswered by then is answered `cancel` by the facade 5 s before, and the job says so.
     */
    vendorRequestTimeoutMs: z.number().int().min(2_000).optional(),
    /**
     * Lease of the replica that holds a live 2025 request (renewed every third of it): when that replica dies,
     * polls answer 502 `vendor_interrupted` once the lease has run out.
     */
    ownerLeaseMs: z.number().int().min(1_000).max(30_000).optional(),
  })
  .strict()

/** The interaction settings when nothing is configured. */
export const INTERACTION_DEFAULTS = { elicitation: 'ask', answerTtlSeconds: 3600, maxRounds: 10, roots: [], vendorRequestTimeoutMs: 60_000, ownerLeaseMs: 15_000 } as const

/** One upstream MCP server. */
export const ServerConfigSchema = z
  .object({
    /** Streamable HTTP (or legacy HTTP+SSE) endpoint: http or https only (the transports speak nothing else). */
    url: z
      .string()
      .url()
      .refine((u) => !URL.canParse(u) || /^https?:$/i.test(new URL(u).protocol), 'only http:// and https:// upstream URLs are supported')
      // fetch refuses such URLs, and a password in a URL ends up in every message that quotes it.
      .refine((u) => !URL.canParse(u) || (!new URL(u).username && !new URL(u).password), 'put credentials in headers or oauth, not in the URL (user:password@)')
      .optional(),
    /** stdio child: the executable. */
    command: nonEmptyString.optional(),
    /** stdio child: its arguments. */
    args: z.array(z.string()).default([]),
    /** stdio child: variables set for it (values support `${ENV_VAR}`); it gets only HOME, PATH, SHELL, TERM otherwise. */
    env: z.record(z.string(), z.string()).default({}),
    /** stdio child: names of the facade's own environment variables passed to it as they are (e.g. a vendor API key). */
    envPassthrough: z.array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected an environment variable name')).default([]),
    /** stdio child: its working directory. */
    cwd: z.string().optional(),
    /** HTTP: `auto` tries Streamable HTTP and falls back to legacy HTTP+SSE. */
    transport: z.enum(['auto', 'streamable-http', 'sse']).default('auto'),
    /** `auto` probes 2026-07-28 `server/discover` first and falls back to 2025 `initialize`. */
    protocol: z.enum(['auto', 'legacy', 'modern']).default('auto'),
    /** Static headers sent to the vendor on every request; values support `${ENV_VAR}`. */
    headers: z.record(headerName, z.string()).default({}),
    /** Caller headers copied to the vendor: an explicit allowlist plus an optional rename map. */
    forwardHeaders: z
      .object({
        /** Header names copied from the caller's request to the vendor. */
        allow: z.array(headerName).default([]),
        /** incoming name → outgoing name, e.g. `{ "X-Vendor-Authorization": "Authorization" }` */
        rename: z.record(headerName, headerName).default({}),
        /** Largest accepted value, in bytes. */
        maxValueBytes: positiveInt.default(8192),
      })
      .strict()
      .default({ allow: [], rename: {}, maxValueBytes: 8192 }),
    oauth: OutboundOAuthSchema.optional(),
    auth: InboundAuthSchema,
    timeouts: z
      .object({
        /** Per tool call, reset by every progress notification. */
        callMs: positiveInt.default(100_000),
        /**
         * Connecting to the vendor: each new connection's TCP and TLS setup (and an HTTP/2 connection's SETTINGS),
         * and the MCP handshake of a new vendor session, are each given this long.
         */
        connectMs: positiveInt.default(15_000),
        /** Per-tool overrides of callMs, by original tool name. */
        tools: z.record(z.string(), positiveInt).default({}),
      })
      .strict()
      .default({ callMs: 100_000, connectMs: 15_000, tools: {} }),
    retry: z
      .object({
        /**
         * How long a call that never reached the vendor (connection refused, DNS, TLS, connect timeout) is retried,
         * with backoff, for any tool. Covers a vendor restart.
         */
        budgetMs: nonNegativeInt.default(5_000),
        /** How many times a cut SSE response stream with an event id is resumed (GET + Last-Event-ID). */
        sseResumeAttempts: nonNegativeInt.max(20).default(3),
      })
      .strict()
      .default({ budgetMs: 5_000, sseResumeAttempts: 3 }),
    /**
     * The server's HTTP socket pool (one per replica, shared by every session). Sockets in use and idle sockets are
     * bounded separately: a call holds its socket for its whole answer, so in-flight calls need many, while idle
     * sessions need none (see docs/sessions.md).
     */
    pool: z
      .object({
        /**
         * Most sockets to the vendor at once, busy ones included: the ceiling of calls in flight to this server per
         * replica (HTTP/1.1 carries one call per socket). Calls beyond it wait for a socket; to refuse them with 429
         * instead, set `limits.concurrentPerServer` at or below it. With a vendor that speaks HTTP/2 it bounds the
         * streams in flight, multiplexed on a few connections (more only past the vendor's concurrent-stream limit).
         */
        maxConnections: positiveInt.max(65_535).optional().meta({ default: POOL_DEFAULTS.maxConnections }),
        /** Most idle keep-alive sockets kept; extra ones are closed once idle for about 1 s (at most `maxConnections`). */
        idleConnections: nonNegativeInt.optional().meta({ default: POOL_DEFAULTS.idleConnections }),
        /**
         * Deprecated: the former single bound of busy and idle sockets alike. Still accepted with exactly that
         * meaning (it sets `maxConnections`, and `idleConnections` unless that is set); not with `maxConnections`.
         */
        connections: positiveInt.max(65_535).optional(),
        /**
         * How long an idle keep-alive socket stays open (shorter if the vendor's `Keep-Alive: timeout=` asks), and an
         * HTTP/2 connection without streams.
         */
        keepAliveMs: positiveInt.default(POOL_DEFAULTS.keepAliveMs),
      })
      .strict()
      .transform(poolSizing)
      .default(POOL_DEFAULTS),
    /**
     * TLS toward this vendor (https URLs). By default Node's trusted CAs apply, plus `NODE_EXTRA_CA_CERTS` (read
     * once at process start, for every outbound connection).
     */
    tls: z
      .object({
        /**
         * PEM file of the CA certificate(s) that sign this vendor's certificate (a private CA). When set, only these
         * CAs are trusted for this server's MCP endpoint, and no other connection of the facade trusts them. Read
         * at start; the certificate is still checked (name and chain).
         */
        caFile: nonEmptyString.optional(),
      })
      .strict()
      .optional(),
    readiness: z
      .object({
        /**
         * `/readyz` trusts the vendor's last good answer for this long, and probes (ping, or `server/discover` on
         * 2026-07-28) at most once per this interval otherwise: frequent probes cost the vendor little.
         */
        probeIntervalMs: positiveInt.default(5_000),
      })
      .strict()
      .default({ probeIntervalMs: 5_000 }),
    tools: z
      .object({
        /** Only these tools get their own typed operation (glob `*` allowed). Others stay callable. */
        include: z.array(z.string()).optional(),
        /** These tools get no typed operation. They stay callable through InvokeTool. */
        exclude: z.array(z.string()).default([]),
        /** These tools are not callable at all. */
        deny: z.array(z.string()).default([]),
      })
      .strict()
      .default({ exclude: [], deny: [] }),
    /** `envelope`: tool-reported errors are 200 with `isError: true`; `problem`: 422 problem responses. */
    toolErrors: z.enum(['envelope', 'problem']).default('envelope'),
    /** Overrides of the top-level `interaction` defaults for this server. */
    interaction: InteractionConfigSchema.optional(),
    async: z
      .object({
        /** Answer 202 + Location when a call runs longer than this (Power Platform allows 120 s). 0 disables. */
        thresholdMs: nonNegativeInt.default(90_000),
        /** `Retry-After` of a 202 answer and of a running job's status. */
        retryAfterSeconds: positiveInt.default(5),
        /** How long a finished job's result stays available. */
        resultTtlSeconds: positiveInt.default(3600),
      })
      .strict()
      .default({ thresholdMs: 90_000, retryAfterSeconds: 5, resultTtlSeconds: 3600 }),
    connector: z
      .object({
        title: z.string().optional(),
        description: z.string().optional(),
        iconBrandColor: z.string().regex(/^#[0-9a-fA-F]{6}$/).default('#da3b01'),
        contact: z.object({ name: z.string(), url: urlString, email: z.string().email() }).optional(),
        website: urlString.optional(),
        privacyPolicy: urlString.optional(),
        categories: z.array(z.string()).max(2).default(['AI', 'Productivity']),
        /** PNG written as the export's `icon.png` (square, < 1 MB, background = iconBrandColor); default the project's own. */
        icon: nonEmptyString.optional(),
        /** apiProperties `publisher` and `stackOwner` (certification; `stackOwner` breaks `paconn update`). */
        publisher: nonEmptyString.optional(),
        stackOwner: nonEmptyString.optional(),
      })
      .strict()
      .default({ iconBrandColor: '#da3b01', categories: ['AI', 'Productivity'] }),
    /** The facade's own MCP endpoint (`POST /mcp`, `/{server}/mcp` with several servers) for Copilot Studio and other MCP clients. */
    mcpEndpoint: z
      .object({
        enabled: z.boolean().default(true),
        /** List tool input schemas in the form Copilot Studio accepts (no `$ref`, one type, boolean exclusive bounds). Calls are validated against the original. */
        copilotSafeSchemas: z.boolean().default(true),
        /** Put the `InvokeMCP` operation (`x-ms-agentic-protocol: mcp-streamable-1.0`) into the generated Swagger 2.0 document. */
        connectorOperation: z.boolean().default(true),
        /**
         * Extra `Host` names `/mcp` answers (DNS-rebinding guard), besides loopback names when listening on
         * loopback or all interfaces and the `publicUrl` host: e.g. an in-cluster service name. `"*"` turns the
         * Host check off. Hostnames, port-agnostic.
         */
        allowedHosts: z.array(z.union([z.literal('*'), z.string().regex(HOST_NAME, 'a hostname (optionally :port), without scheme or path')])).default([]),
        /** Browser origins `/mcp` accepts besides its own, loopback pages and `publicUrl` (`cors.origins` count too). `"*"` accepts any. */
        allowedOrigins: z.array(z.union([z.literal('*'), urlString])).default([]),
      })
      .strict()
      .default({ enabled: true, copilotSafeSchemas: true, connectorOperation: true, allowedHosts: [], allowedOrigins: [] }),
  })
  .strict()
  .superRefine((s, ctx) => {
    if (!!s.url === !!s.command) ctx.addIssue({ code: 'custom', message: 'set exactly one of url or command' })
    if (s.oauth && s.command) ctx.addIssue({ code: 'custom', path: ['oauth'], message: 'oauth applies to HTTP upstreams only' })
    if (s.url && s.envPassthrough.length) ctx.addIssue({ code: 'custom', path: ['envPassthrough'], message: 'envPassthrough applies to stdio servers (command) only' })
    credentialIssues(s).forEach((issue) => ctx.addIssue({ code: 'custom', ...issue }))
  })

/**
 * Credential and header rules that need several fields at once. Messages name headers, never values: a config
 * error is printed and may end up in CI logs.
 */
function credentialIssues(s: {
  command?: string
  headers: Record<string, string>
  forwardHeaders: { allow: string[]; rename: Record<string, string> }
  oauth?: { delegation?: unknown }
  auth: InboundAuth
}): { path: (string | number)[]; message: string }[] {
  const issues: { path: (string | number)[]; message: string }[] = []
  const { allow, rename } = s.forwardHeaders
  const lower = (h: string) => h.toLowerCase()
  if (s.command) {
    // A stdio child receives no HTTP headers: a passthrough credential would reach nobody, so nobody would judge it.
    if (s.auth.mode === 'passthrough') issues.push({ path: ['auth', 'mode'], message: 'passthrough needs an HTTP upstream (url): a stdio server cannot check the credential' })
    if (allow.length || Object.keys(s.headers).length)
      issues.push({ path: [allow.length ? 'forwardHeaders' : 'headers'], message: 'headers apply to HTTP upstreams only (use env for a stdio server)' })
  }
  allow.forEach((name, i) => {
    if (isNeverForwarded(name))
      issues.push({ path: ['forwardHeaders', 'allow', i], message: `${name} is never forwarded (hop-by-hop, Host, Content-Length, X-Forwarded-*, Mcp-* or facade-owned)` })
  })
  for (const [from, to] of Object.entries(rename)) {
    if (!allow.some((a) => lower(a) === lower(from))) issues.push({ path: ['forwardHeaders', 'rename', from], message: 'renamed header must also be in allow' })
    if (isNeverForwarded(to)) issues.push({ path: ['forwardHeaders', 'rename', from], message: `cannot rename to ${to}` })
  }
  // The facade's own API key is for the facade: copying it to the vendor would hand every vendor our key.
  if (s.auth.mode === 'apiKey') {
    const keyHeader = s.auth.header
    const i = allow.findIndex((a) => lower(a) === lower(keyHeader))
    if (i >= 0) issues.push({ path: ['forwardHeaders', 'allow', i], message: `${keyHeader} carries the facade's own API key (auth.header); it is never forwarded` })
  }
  const renameOf = (h: string) => Object.entries(rename).find(([k]) => lower(k) === lower(h))?.[1] ?? h
  const outgoing = allow.map(renameOf)
  const auth = s.auth
  const delegated = !!s.oauth?.delegation
  // Delegation needs the caller's own token to exchange; the caller's token then never reaches the vendor.
  if (delegated && auth.mode !== 'jwt' && auth.mode !== 'passthrough')
    issues.push({ path: ['oauth', 'delegation'], message: 'delegation exchanges the caller\'s token: set auth.mode to "jwt" (validated) or "passthrough"' })
  if (delegated && auth.mode === 'passthrough' && lower(auth.header) !== 'authorization')
    issues.push({ path: ['auth', 'header'], message: 'delegation reads the caller\'s token from Authorization: Bearer' })
  if (auth.mode === 'passthrough') {
    const header = auth.header
    if (!delegated && !allow.some((a) => lower(a) === lower(header))) outgoing.push(header)
    if (isNeverForwarded(header)) issues.push({ path: ['auth', 'header'], message: `${header} cannot carry a passthrough credential (it is never forwarded)` })
    // An oauth2 connection always sends its token as Authorization: Bearer, so any other header would stay empty.
    if (auth.oauth && lower(header) !== 'authorization')
      issues.push({ path: ['auth', 'oauth'], message: 'an oauth passthrough connection sends Authorization; set auth.header to Authorization' })
  }
  // Two caller headers landing on one vendor header would make the winner depend on which one the caller sent.
  const seen = new Set<string>()
  for (const h of outgoing) {
    if (seen.has(lower(h))) issues.push({ path: ['forwardHeaders'], message: `two forwarded headers would both be sent as ${h}` })
    seen.add(lower(h))
  }
  const staticAuthorization = Object.keys(s.headers).some((h) => lower(h) === 'authorization')
  if (s.oauth && outgoing.some((h) => lower(h) === 'authorization'))
    issues.push({
      path: ['forwardHeaders'],
      message: delegated ? 'delegation sends the exchanged token as Authorization: the caller\'s own Authorization is never forwarded' : 'cannot forward a caller Authorization and use oauth client credentials at once',
    })
  if (s.oauth && staticAuthorization)
    issues.push({ path: ['headers', 'Authorization'], message: 'a static Authorization header conflicts with oauth client credentials (the token would replace it)' })
  for (const [name, value] of Object.entries(s.headers)) {
    if (isTransportManaged(name)) issues.push({ path: ['headers', name], message: `${name} is managed by the MCP transport and cannot be set statically` })
    if (hasForbiddenHeaderChars(value)) issues.push({ path: ['headers', name], message: 'value contains a line break or control character' })
  }
  return issues
}

/** The whole service configuration. */
export const ConfigSchema = z
  .object({
    /** Listen address (`HOST`, `--host`); `0.0.0.0` in a container. */
    host: z.string().default('127.0.0.1'),
    /** Listen port (`PORT`, `--port`); 0 picks a free one. */
    port: nonNegativeInt.max(65535).default(8080),
    /** The facade's public https URL, used for the Swagger host/basePath and absolute async Location headers. */
    publicUrl: urlString.optional(),
    /**
     * Where each server's routes live. `auto`: a single server at the root, several under `/{name}/`. `byName`: always
     * under `/{name}/`, so that adding a second server later moves no route (and breaks no imported connector); the
     * default for a file with `mcpServers`, as other MCP bridges mount those.
     */
    mountServers: z.enum(['auto', 'byName']).default('auto'),
    /** Largest accepted request body. */
    bodyLimitBytes: positiveInt.default(1_048_576),
    /**
     * Deepest nesting of arrays and objects accepted in a JSON body; deeper bodies are refused with 400 before
     * validation. Capped so no setting lets a body reach depths that overflow the stack in validation or
     * serialization.
     */
    maxJsonDepth: z.number().int().min(1).max(512).default(64),
    /**
     * The facade's own HTTP listener: how long a client may take to send a request, how long an idle keep-alive
     * connection stays open, and how many connections are served at once (slow or abusive clients cost a socket
     * each). Connections are checked every second, so a limit is enforced within about a second of passing.
     */
    listener: z
      .object({
        /** Longest time to receive a request's headers (slowloris): the connection is answered 408 and closed. */
        headersTimeoutMs: z.number().int().min(100).max(120_000).default(15_000),
        /** Longest time to receive a whole request, body included (a trickled body); 408 and closed. Not the call's time. */
        requestTimeoutMs: z.number().int().min(100).max(600_000).default(30_000),
        /**
         * How long an idle keep-alive connection stays open. Longer than the usual load-balancer idle timeout (60 s),
         * so the proxy in front closes first and never sends a request onto a connection the facade is closing.
         */
        keepAliveTimeoutMs: nonNegativeInt.max(600_000).default(65_000),
        /** Most client connections at once; further connections are closed at once. */
        maxConnections: positiveInt.default(10_000),
      })
      .strict()
      .refine((l) => l.headersTimeoutMs <= l.requestTimeoutMs, { message: 'headersTimeoutMs cannot be longer than requestTimeoutMs', path: ['headersTimeoutMs'] })
      .default({ headersTimeoutMs: 15_000, requestTimeoutMs: 30_000, keepAliveTimeoutMs: 65_000, maxConnections: 10_000 }),
    /** `Idempotency-Key` on tool calls: a retry with the same key gets the first call's answer. */
    idempotency: z
      .object({
        /** How long a keyed call's answer is kept for retries. */
        ttlSeconds: positiveInt.max(7 * 86_400).default(3_600),
        /**
         * Calls without an Idempotency-Key that come from a Power Automate / Logic Apps action use the flow engine's
         * `x-ms-workflow-run-id` + `x-ms-action-tracking-id` as their key. Off by default: see docs/reliability.md.
         */
        keyFromFlowHeaders: z.boolean().default(false),
      })
      .strict()
      .default({ ttlSeconds: 3_600, keyFromFlowHeaders: false }),
    /**
     * Limits per caller (its identity) and per server, shared by every replica through the session store when it is
     * Redis. 0 turns a limit off. Over a limit: 429 with Retry-After and the RateLimit-Policy / RateLimit fields.
     */
    limits: z
      .object({
        /** Caller sessions one identity may open within the idle TTL (ended ones give their place back). */
        sessionsPerIdentity: nonNegativeInt.default(100),
        /** Caller sessions of every identity together, per server. */
        sessions: nonNegativeInt.default(10_000),
        /** Live stdio child processes per stdio server on a replica (pooled and caller sessions each hold one). */
        processesPerServer: nonNegativeInt.default(32),
        /** Calls (tools, resources, prompts) per identity per `windowSeconds`. */
        callsPerIdentity: nonNegativeInt.default(0),
        /** Calls per server, all identities together, per `windowSeconds`. */
        callsPerServer: nonNegativeInt.default(0),
        /** Window of the two call rates, in seconds. */
        windowSeconds: positiveInt.default(1),
        /** Calls in flight at once per identity. */
        concurrentPerIdentity: nonNegativeInt.default(0),
        /**
         * Calls in flight at once per server (all replicas together with the Redis store). At most every HTTP server's
         * `pool.maxConnections`, so that a call over the limit is answered 429 rather than left waiting for a socket.
         */
        concurrentPerServer: nonNegativeInt.default(0),
      })
      .strict()
      .default({ sessionsPerIdentity: 100, sessions: 10_000, processesPerServer: 32, callsPerIdentity: 0, callsPerServer: 0, windowSeconds: 1, concurrentPerIdentity: 0, concurrentPerServer: 0 }),
    sessions: z
      .object({
        /** Idle expiry of caller sessions (and pooled vendor sessions). */
        idleTtlSeconds: positiveInt.default(1800),
        /** Where caller sessions and 202 job records live. `REDIS_URL` in the environment selects redis unless this says memory. */
        store: z.enum(['memory', 'redis']).default('memory'),
        /** `redis://[user:pass@]host:6379` or `rediss://` (`REDIS_URL`). */
        redisUrl: z.string().optional(),
        /** Prepended to every Redis key (sessions and jobs), e.g. to share one Redis between deployments. */
        redisKeyPrefix: z.string().max(64).default(''),
        /**
         * Longest wait for one Redis command. A stalled Redis then costs a session-bound call this long and a 503
         * `store_unavailable`, not the whole stall.
         */
        redisCommandTimeoutMs: z.number().int().min(50).max(60_000).default(1_000),
        /**
         * With the Redis store, each replica keeps a copy of the session records it serves (dropped at once when
         * another replica renews or ends a session: pub/sub) and writes a session's expiry slide at most once per
         * a tenth of the idle TTL (5 s at most) instead of after every call. False: a read and a write per call.
         */
        redisCache: z.boolean().default(true),
        /**
         * `/readyz` answers 503 while the store cannot be reached. Pooled calls (no session id) keep working without
         * the store; set false to keep such replicas in the load balancer during a store outage (the body still
         * reports `store: unavailable`).
         */
        readyRequiresStore: z.boolean().default(true),
        /**
         * Most pooled vendor sessions kept per server (one per caller identity; the least recently used idle one is
         * ended to make room, and its identity's next call initializes again). Set it above the number of identities
         * active within the idle TTL. An idle pooled session holds about 3 KB here, and one vendor session.
         */
        maxPooled: positiveInt.default(1000),
        /**
         * A session's live vendor connection is released after this long without calls; the next call re-attaches
         * to the same vendor session (no new initialize). Idle sessions then cost a record, not a connection.
         */
        connectionIdleMs: nonNegativeInt.default(30_000),
      })
      .strict()
      .default({ idleTtlSeconds: 1800, store: 'memory', redisKeyPrefix: '', redisCommandTimeoutMs: 1_000, redisCache: true, readyRequiresStore: true, maxPooled: 1000, connectionIdleMs: 30_000 }),
    /**
     * Key for the caller-identity hash. Set the same value on every replica so sessions work across them;
     * when absent a random key is generated at start (fine for one replica).
     */
    identitySecret: z.string().min(16).optional(),
    /** How long SIGTERM waits for calls in flight. */
    shutdownGraceMs: nonNegativeInt.default(10_000),
    /** pino log level (`LOG_LEVEL`); logs are JSON lines on stderr. */
    logLevel: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
    /** Browser access from other origins (CORS). Off unless origins are listed; `"*"` allows any origin. */
    cors: z
      .object({
        origins: z.array(z.union([z.literal('*'), urlString])).min(1),
        /** Preflight cache time. */
        maxAgeSeconds: nonNegativeInt.default(600),
      })
      .strict()
      .optional(),
    /** `GET /metrics` (Prometheus text). */
    metrics: z
      .object({
        enabled: z.boolean().default(true),
        /** Serve /metrics only on this port (same host), not on the API port. */
        port: nonNegativeInt.max(65535).optional(),
        /** Require `Authorization: Bearer <key>` on /metrics (`${ENV_VAR}` interpolation applies). */
        key: z.string().min(16, 'the metrics key must be at least 16 characters').optional(),
      })
      .strict()
      .default({ enabled: true }),
    /** Defaults of every server's `interaction` settings. */
    interaction: InteractionConfigSchema.optional(),
    servers: z.record(z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'server names are lowercase letters, digits and -'), ServerConfigSchema).default({}),
  })
  .strict()
  .superRefine((c, ctx) => {
    // The per-server concurrency limit protects the vendor with a 429; above the socket ceiling the calls between
    // the two would wait for a socket instead, silently, which is what the limit exists to avoid.
    const limit = c.limits.concurrentPerServer
    if (limit === 0) return
    for (const [name, server] of Object.entries(c.servers))
      if (server.url && limit > server.pool.maxConnections)
        ctx.addIssue({
          code: 'custom',
          path: ['limits', 'concurrentPerServer'],
          message: `limits.concurrentPerServer (${limit}) is above servers.${name}.pool.maxConnections (${server.pool.maxConnections}): calls between the two would wait for a socket instead of being answered 429; lower the limit or raise maxConnections`,
        })
  })

/** Validated configuration. */
export type Config = z.infer<typeof ConfigSchema>
/** Validated configuration of one upstream server. */
export type ServerConfig = z.infer<typeof ServerConfigSchema>
/** Inbound auth settings. */
export type InboundAuth = z.infer<typeof InboundAuthSchema>
