/**
 * @module swagger/check-context
 * Shared plumbing of the rulebook checkers: the severity of each rule, a violation collector and JSON pointer
 * helpers. Import rules (`H-*`, `S-*`) are errors unless the rulebook marks them as warnings; certification rules
 * (`C-*`) are warnings, or errors in certification mode (rulebook §9, layer 3).
 */

import type { Violation } from './types.js'

/** Options shared by the checkers. */
export interface CheckOptions {
  /** Report certification rules (`C-*`) as errors instead of warnings. Default false. */
  certification?: boolean
  /** Size limit of the serialized document (rulebook H-02). Default 1 000 000. */
  maxBytes?: number
  /** Operation limit (rulebook H-11). Default 256. */
  maxOperations?: number
  /** Deepest property/items nesting tolerated below a body or response root (rulebook H-13, value unpublished). Default 10. */
  maxSchemaDepth?: number
}

/** Rules whose findings are warnings whatever the mode (the rulebook tags them WARN or [U]). */
const ALWAYS_WARNING = new Set(['H-13', 'H-31', 'H-35', 'H-71', 'S-08'])

/** Certification rules whose findings break import or the designer, so they are errors whatever the mode. */
const ALWAYS_ERROR = new Set(['C-19'])

/** Collects violations with the default severity of their rule. */
export class ViolationSink {
  readonly violations: Violation[] = []
  constructor(private readonly certification: boolean) {}

  /** Records a finding; `severity` overrides the rule's default. */
  add(rule: string, path: string, message: string, severity?: Violation['severity']): void {
    this.violations.push({ rule, severity: severity ?? this.severityOf(rule), path: path === '' ? '/' : path, message })
  }

  private severityOf(rule: string): Violation['severity'] {
    if (ALWAYS_WARNING.has(rule)) return 'warning'
    if (ALWAYS_ERROR.has(rule)) return 'error'
    if (rule.startsWith('C-')) return this.certification ? 'error' : 'warning'
    return 'error'
  }
}

/** Appends one token to a JSON pointer (`~` → `~0`, `/` → `~1`). */
export function pointer(base: string, ...tokens: (string | number)[]): string {
  return base + tokens.map((t) => '/' + String(t).replace(/~/g, '~0').replace(/\//g, '~1')).join('')
}

/** True for a non-null, non-array object. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** HTTP methods of a Swagger 2.0 path item. */
export const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch'] as const

/** Product names that must not appear in connector text (rulebook C-02, C-10). */
export const PRODUCT_NAMES = /\b(?:power\s*apps|power\s*automate|logic\s*apps)\b/i

/** `x-ms-summary` shape: at most 80 characters of letters, digits, spaces and parentheses (rulebook C-08). */
export function isValidLabel(label: string): boolean {
  return label.length > 0 && label.length <= 80 && /^[A-Za-z0-9 ()]+$/.test(label) && /[A-Za-z0-9]/.test(label)
}
