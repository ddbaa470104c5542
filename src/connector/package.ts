/**
 * @module connector/package
 * The connector folder of one server as a zip (`GET /connector/package`): the same files `export` writes, built
 * from the running facade's catalog and configuration, so a maker needs neither the production config nor its
 * secrets to import the connector. `export --from <facade URL>` downloads and unpacks it.
 */
import { zipSync } from 'fflate'
import type { ServerRuntime } from '../runtime/server-runtime.js'
import { buildConnectorFiles, type ExportOptions } from './export.js'

/** The zip of a server's connector folder (files at the top level), and the warnings the export would print. */
export function connectorPackage(runtime: ServerRuntime, options: ExportOptions): { zip: Uint8Array; warnings: string[]; operations: number } {
  const { files, report } = buildConnectorFiles(runtime, options)
  // PNG is compressed already; the JSON and Markdown files shrink well.
  const zip = zipSync(Object.fromEntries(files.map(([name, content]) => [name, [typeof content === 'string' ? Buffer.from(content) : new Uint8Array(content), { level: name.endsWith('.png') ? 0 : 6 }]])))
  return { zip, warnings: report.warnings, operations: report.operations }
}
