/**
 * @module swagger/property-names
 * The one rule that renames vendor property names the connector cannot carry (rulebook H-70/H-71), used by both
 * the emitter (schema → safe names) and the REST runtime (incoming body → vendor names), so they cannot disagree.
 *
 * Rule, per object (the mapping depends on the whole set of property names of that object):
 * 1. A name matching `^[A-Za-z_][A-Za-z0-9_-]*$` is safe and kept as is; safe names are reserved first.
 * 2. Any other name (with `/`, `.`, `@`, `:`, `$`, whitespace, non-ASCII, a leading digit or `-`, or empty)
 *    becomes a candidate: accents stripped (NFKD), every run of other characters replaced by `_`, trailing `_`/`-`
 *    trimmed, `_` prefixed when it does not start with a letter or `_`, `property` when nothing else is left
 *    (`a.b` → `a_b`, `@type` → `_type`, `first name` → `first_name`, `2fa` → `_2fa`, `日本` → `property`).
 * 3. Unsafe names are processed in code-unit order of the original name; a candidate already taken (by a safe
 *    name or an earlier candidate) gets the first free `_2`, `_3`, … suffix.
 */

const SAFE_NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/

/** True when a property name can be used unchanged in the connector. */
export function isSafePropertyName(name: string): boolean {
  return SAFE_NAME.test(name)
}

/** The collision-free candidate for one unsafe name, before de-duplication. */
function candidate(name: string): string {
  const ascii = name.normalize('NFKD').replace(/[\u0300-\u036f]/g, '')
  const out = ascii.replace(/[^A-Za-z0-9_-]+/g, '_').replace(/[_-]+$/g, '')
  if (out === '' || /^_+$/.test(out)) return 'property'
  return /^[A-Za-z_]/.test(out) ? out : '_' + out
}

/**
 * Maps every property name of one object to its connector-safe name.
 * @param names the property names of one object schema (order does not matter)
 * @returns original name → safe name (identity for safe names); injective
 * @example safePropertyNames(['a.b', 'a_b', '@type']) // a.b → a_b_2, a_b → a_b, @type → _type
 */
export function safePropertyNames(names: Iterable<string>): Map<string, string> {
  const all = [...new Set(names)]
  const result = new Map<string, string>()
  const taken = new Set<string>()
  for (const name of all) {
    if (isSafePropertyName(name)) {
      result.set(name, name)
      taken.add(name)
    }
  }
  const unsafe = all.filter((n) => !isSafePropertyName(n)).sort()
  for (const name of unsafe) {
    const base = candidate(name)
    let unique = base
    for (let n = 2; taken.has(unique); n++) unique = `${base}_${n}`
    taken.add(unique)
    result.set(name, unique)
  }
  return result
}
