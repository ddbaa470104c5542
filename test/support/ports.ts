/**
 * @module test/support/ports
 * A loopback port nothing listens on, for tests of a vendor that refuses connections.
 */
import { createServer } from 'node:net'

/** A port on 127.0.0.1 that was free a moment ago (bound, then released): connections to it are refused. */
export async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as { port: number }).port
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}
