/**
 * @module connector/client-header
 * The internal header every operation of the connector's Swagger 2.0 document sends on tool calls, so the facade
 * knows a call comes from the connector (connector-safe property names, empty-value leniency). A module of its
 * own: the call path reads it on every request, and must not load the Swagger emitter to do so.
 */

/** Header the connector sends on tool operations (internal, fixed value). */
export const CONNECTOR_CLIENT_HEADER = 'X-Facade-Client'
/** Its value. */
export const CONNECTOR_CLIENT_VALUE = 'power-platform'
