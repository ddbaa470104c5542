/**
 * @module http/routes/connector
 * Internal operations the connector's generic InvokeTool uses at design time: the tool list for the picker and
 * each tool's input and response schema as Swagger 2.0 schema objects (x-ms-dynamic-schema / -properties).
 */
import type { OpenAPIHono } from "@hono/zod-openapi"
import { findTool } from '../../catalog/build.js'
import { ApiError } from '../../errors/api-error.js'
import type { ServerRuntime } from '../../runtime/server-runtime.js'
import { connectorInputSchema, connectorOutputSchema, connectorToolList } from '../../swagger/tool-schemas.js'

/** Registers the connector helper routes. */
export function registerConnectorRoutes(app: OpenAPIHono, runtime: ServerRuntime) {
  const toolOf = (segment: string) => {
    const { catalog } = runtime.requireCatalog()
    const tool = findTool(catalog, segment) ?? findTool(catalog, decodeURIComponent(segment))
    if (!tool) throw new ApiError('tool_not_found', { detail: `No tool "${segment}" on this server.` })
    return tool
  }
  app.get('/connector/tools', (c) => {
    runtime.callerFrom(c.req.raw.headers)
    return c.json(connectorToolList(runtime.requireCatalog().catalog))
  })
  app.get('/connector/tools/:tool/input-schema', (c) => {
    runtime.callerFrom(c.req.raw.headers)
    return c.json(connectorInputSchema(toolOf(c.req.param('tool'))))
  })
  app.get('/connector/tools/:tool/output-schema', (c) => {
    runtime.callerFrom(c.req.raw.headers)
    return c.json(connectorOutputSchema(toolOf(c.req.param('tool'))))
  })
}
