/**
 * @module swagger/serialize
 * The one serialization of connector files: 4-space indentation (the certification style, rulebook C-18), no
 * trailing spaces, a final newline, and ASCII-only output with `\uXXXX` escapes, because paconn reads the files
 * with the platform's default encoding (rulebook §4.1). The emitter measures the size limit on this exact text.
 */

/** Serializes a connector JSON file (swagger, apiProperties, settings) the way it must be written to disk. */
export function serializeSwagger2(document: unknown): string {
  const json = JSON.stringify(document, null, 4)
  return json.replace(/[\u007f-\uffff]/g, (ch) => '\\u' + ch.charCodeAt(0).toString(16).padStart(4, '0')) + '\n'
}

/** UTF-8 size of {@link serializeSwagger2} output (ASCII, so one byte per character). */
export function serializedBytes(document: unknown): number {
  return serializeSwagger2(document).length
}
