/**
 * @module swagger/serialize
 * Serialization of connector files: ASCII-only output with `\uXXXX` escapes (paconn reads the files with the
 * platform's default encoding, rulebook §4.1), 4-space indentation by default (the certification style, C-18),
 * and a final newline.
 *
 * Size (rulebook H-02): which bytes the 1 MB limit measures is unconfirmed; the evidence (a certified connector of
 * 1.1 MB pretty-printed and 0.7 MB minified) points at the parsed definition, and paconn re-serializes the file
 * without indentation before uploading it. The limit is still checked on the file exactly as written
 * ({@link serializeDefinition}), which is compact when the indented form is larger than the limit.
 */

/** Serializes a connector JSON file (swagger, apiProperties, settings) the way it is written to disk. */
export function serializeSwagger2(document: unknown, indent = 4): string {
  const json = JSON.stringify(document, null, indent > 0 ? indent : undefined)
  return json.replace(/[\u007f-\uffff]/g, (ch) => '\\u' + ch.charCodeAt(0).toString(16).padStart(4, '0')) + '\n'
}

/** Size in bytes of the compact ASCII serialization, the measure used for the size limit. */
export function serializedBytes(document: unknown): number {
  return serializeSwagger2(document, 0).length
}

/** Default size limit of a definition file (rulebook H-02, with a margin below 1 MiB). */
const DEFINITION_LIMIT = 1_000_000

/**
 * The definition file's text, exactly as served and exported: indented (certification asks for 4 spaces), or
 * compact when indentation alone would cross the limit.
 */
export function serializeDefinition(document: unknown, limitBytes = DEFINITION_LIMIT): string {
  const pretty = serializeSwagger2(document)
  return pretty.length <= limitBytes ? pretty : serializeSwagger2(document, 0)
}
