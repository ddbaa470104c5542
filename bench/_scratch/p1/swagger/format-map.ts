/**
 * @module swagger/format-map
 * Maps a JSON Schema `format` onto the formats Power Platform accepts (rulebook §1.6, rule 14), per type.
 */

import type { ScalarType } from './schema-normalize.js'

/** Formats the connector validator recognises, per Swagger type. */
const ALLOWED: Record<ScalarType, readonly string[]> = {
  string: ['byte', 'binary', 'date', 'date-time', 'password', 'date-no-tz', 'email', 'html', 'uri', 'uuid'],
  integer: ['int32', 'int64'],
  number: ['float', 'double'],
  boolean: [],
}

/** Vendor formats with an allowed equivalent (same meaning, or a strictly looser hint). */
const ALIASES: Record<string, string> = {
  url: 'uri',
  iri: 'uri',
  'uri-reference': 'uri',
  'iri-reference': 'uri',
  guid: 'uuid',
  'idn-email': 'email',
}

/**
 * The allowed format for `type`, or `undefined` when the vendor format has to be dropped.
 * @example mapFormat('string', 'url') // 'uri'
 * @example mapFormat('string', 'hostname') // undefined
 */
export function mapFormat(type: ScalarType, format: string): string | undefined {
  const candidate = type === 'string' ? ALIASES[format] ?? format : format
  return ALLOWED[type].includes(candidate) ? candidate : undefined
}

/** Every format the connector accepts (for the checker). */
export const ALLOWED_FORMATS: readonly string[] = [...new Set(Object.values(ALLOWED).flat())]
