/**
 * @module http/server-app
 * The routes of one upstream server. Mounted at the root with one upstream, or under `/{server}` with several.
 * An OpenAPIHono app: the fixed routes are declared with `createRoute`, and their definitions (in
 * `app.openAPIRegistry`) are the fixed part of the server's `/openapi.json`.
 */
import { OpenAPIHono } from '@hono/zod-openapi'
import { registerMcpEndpoint } from '../mcp-endpoint/route.js'
import type { ServerRuntime } from '../runtime/server-runtime.js'
import { registerConnectorRoutes } from './routes/connector.js'
import { registerDocsPageRoutes } from './routes/docs-page.js'
import { registerDocumentRoutes } from './routes/documents.js'
import { registerMcpExtraRoutes } from './routes/mcp-extras.js'
import { registerOperationRoutes } from './routes/operations.js'
import { registerSessionRoutes } from './routes/sessions.js'
import { registerToolRoutes } from './routes/tools.js'
import { ProblemSchema } from './openapi-components.js'
import { problemHook } from './validation-hook.js'

/** Builds the Hono app of one server. */
export function createServerApp(runtime: ServerRuntime): OpenAPIHono {
  const app = new OpenAPIHono({ defaultHook: problemHook as never })
  // Problem responses reference it by name (they are shared components, not zod schemas of one route).
  app.openAPIRegistry.register('Problem', ProblemSchema)
  registerOperationRoutes(app, runtime)
  registerDocumentRoutes(app, runtime)
  registerDocsPageRoutes(app)
  registerToolRoutes(app, runtime)
  registerSessionRoutes(app, runtime)
  registerMcpExtraRoutes(app, runtime)
  registerConnectorRoutes(app, runtime)
  registerMcpEndpoint(app, runtime)
  return app
}
