/**
 * @module http/server-app
 * The routes of one upstream server. Mounted at the root with one upstream, or under `/{server}` with several.
 */
import { Hono } from 'hono'
import { registerMcpEndpoint } from '../mcp-endpoint/route.js'
import type { ServerRuntime } from '../runtime/server-runtime.js'
import { registerConnectorRoutes } from './routes/connector.js'
import { registerDocsPageRoutes } from './routes/docs-page.js'
import { registerDocumentRoutes } from './routes/documents.js'
import { registerMcpExtraRoutes } from './routes/mcp-extras.js'
import { registerOperationRoutes } from './routes/operations.js'
import { registerSessionRoutes } from './routes/sessions.js'
import { registerToolRoutes } from './routes/tools.js'

/** Builds the Hono app of one server. */
export function createServerApp(runtime: ServerRuntime): Hono {
  const app = new Hono()
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
