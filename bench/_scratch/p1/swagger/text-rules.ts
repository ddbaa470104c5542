/**
 * @module swagger/text-rules
 * String shaping for connector text: labels (`x-ms-summary`), operation summaries, descriptions, the connector
 * title. Every function is pure and returns ASCII only, because certification rejects non-English characters in
 * any connector artifact (rulebook C-10) and paconn reads the files with the platform's default encoding (§4.1).
 */

/** Product names that certification rejects in summaries and descriptions (rulebook C-02, C-10, §8.3). */
const PRODUCT_NAMES = /\b(?:power\s*apps|power\s*automate|logic\s*apps)\b/gi

/** Characters an operation summary must not contain (rulebook C-06). */
const SUMMARY_FORBIDDEN = /[/\\<>*%&?]/g

/** Typographic characters that have an obvious ASCII spelling; mapped before anything is dropped. */
const TYPOGRAPHY: Record<string, string> = {
  '\u2018': "'",
  '\u2019': "'",
  '\u201a': "'",
  '\u201b': "'",
  '\u201c': '"',
  '\u201d': '"',
  '\u201e': '"',
  '\u2013': '-',
  '\u2014': '-',
  '\u2212': '-',
  '\u2026': '...',
  '\u00a0': ' ',
  '\u2022': '-',
  '\u00d7': 'x',
  '\u00df': 'ss',
  '\u00e6': 'ae',
  '\u00c6': 'AE',
  '\u00f8': 'o',
  '\u00d8': 'O',
  '\u0142': 'l',
  '\u0141': 'L',
}

/**
 * Folds text to ASCII: typographic characters get their ASCII spelling, accents are stripped (NFKD), control
 * characters become spaces, and whatever is left outside ASCII is replaced by `replacement`.
 */
export function toAscii(text: string, replacement = ' '): string {
  let out = ''
  for (const ch of text.normalize('NFKD')) {
    const code = ch.codePointAt(0)!
    if (code >= 0x300 && code <= 0x36f) continue // combining accents left over by NFKD
    if (TYPOGRAPHY[ch] !== undefined) out += TYPOGRAPHY[ch]
    else if (code < 0x20 || code === 0x7f) out += ' '
    else if (code < 0x80) out += ch
    else out += replacement
  }
  return out
}

/**
 * Spells any string in ASCII without losing information: non-ASCII characters become `\uXXXX` escapes.
 * Used where the exact original must stay recoverable (a renamed property's vendor name, a tool name).
 */
export function escapeNonAscii(text: string): string {
  let out = ''
  for (const ch of text) {
    const code = ch.codePointAt(0)!
    if (code >= 0x20 && code < 0x7f) out += ch
    else {
      // astral characters become their two UTF-16 escapes, like JSON does
      for (let i = 0; i < ch.length; i++) out += '\\u' + ch.charCodeAt(i).toString(16).padStart(4, '0')
    }
  }
  return out
}

/** A product name that ends a clause, with the word that introduced it ("from Power Automate."). */
const TRAILING_PRODUCT = new RegExp(`\\s+(?:in|from|with|for|to|via|using|on|and|or)\\s+${PRODUCT_NAMES.source}(?=\\s*(?:[.!?,;:)]|-(?:\\s|$)|$))`, 'gi')

/**
 * Removes the restricted product names and tidies the spacing they leave behind. A name that ends a clause goes
 * with the preposition or conjunction before it ("Works with Power Apps." → "Works."), so the sentence still reads.
 */
export function stripProductNames(text: string): string {
  let out = text
  for (let before = ''; before !== out; ) {
    before = out
    out = out.replace(TRAILING_PRODUCT, '')
  }
  return tidySpaces(out.replace(PRODUCT_NAMES, ''))
}

/** Collapses runs of whitespace and removes the space left before punctuation. */
function tidySpaces(text: string): string {
  return text
    .replace(/\s+/g, ' ')
    .replace(/\s+([.,;:!?)])/g, '$1')
    .replace(/\(\s+/g, '(')
    .replace(/\(\)/g, '')
    .trim()
}

/** Splits an identifier or phrase into words: camelCase humps, snake_case, kebab-case, dots, slashes. */
export function splitWords(text: string): string[] {
  return toAscii(text)
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
}

/** Cuts text to at most `max` characters at a word boundary when there is one. */
export function cutAtWord(text: string, max: number): string {
  if (text.length <= max) return text
  const cut = text.slice(0, max + 1)
  const space = cut.lastIndexOf(' ')
  return (space > max / 2 ? cut.slice(0, space) : text.slice(0, max)).trim()
}

/**
 * A Title Case label for `x-ms-summary` (rulebook C-08/C-09): ASCII letters, digits, spaces and parentheses only,
 * at most 80 characters. Returns `fallback` when nothing usable is left.
 * @example toLabel('first_name') // 'First Name'
 * @example toLabel('userID') // 'User ID'
 */
export function toLabel(text: string, fallback = 'Value'): string {
  const cleaned = stripProductNames(toAscii(text))
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .replace(/[^A-Za-z0-9()]+/g, ' ')
    .replace(/\(\s*\)/g, ' ')
  const words = cleaned.split(' ').filter(Boolean)
  const label = cutAtWord(words.map(capitalize).join(' '), 80)
  return /[A-Za-z0-9]/.test(label) ? label : fallback
}

function capitalize(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1)
}

/**
 * Sentence case: the first letter upper case, and when the phrase is written in Title Case ("Get Weather
 * Forecast"), the capitalized words after the first lower-cased. Acronyms and mixed-case names ("CRM", "GitHub")
 * are kept as they are.
 */
export function toSentenceCase(text: string): string {
  const words = text.split(' ')
  const titleCased = words.length > 1 && words.every((w) => !/^[a-z]/.test(w))
  return words
    .map((w, i) => {
      if (i === 0) return capitalize(w)
      return titleCased && /^[A-Z][a-z]+$/.test(w) ? w.toLowerCase() : w
    })
    .join(' ')
}

/** A human phrase for an identifier: `crm/contacts.search` becomes `Crm contacts search`. */
export function humanize(name: string): string {
  const words = splitWords(name).map((w) => (/^[A-Z0-9]+$/.test(w) && w.length > 1 ? w : w.toLowerCase()))
  return toSentenceCase(words.join(' '))
}

/**
 * An operation `summary` (rulebook C-06): sentence case, at most 80 characters, none of `/ \ < > * % & ?`, no
 * product names, ending with a letter, a digit or `)`.
 */
export function toOperationSummary(text: string | undefined, fallback: string): string {
  const shape = (s: string) => {
    const cleaned = stripProductNames(toAscii(s).replace(SUMMARY_FORBIDDEN, ' '))
    return trimSummaryEnd(cutAtWord(toSentenceCase(cleaned), 80))
  }
  const summary = text ? shape(text) : ''
  return /[A-Za-z0-9]/.test(summary) ? summary : shape(fallback)
}

/** Drops trailing characters until the text ends with an alphanumeric or a `)` that closes a `(`. */
function trimSummaryEnd(text: string): string {
  let out = text.trim()
  for (;;) {
    const before = out
    out = out.replace(/[^A-Za-z0-9)]+$/, '')
    // a ')' is only a fine ending when it closes something; a stray one is trimmed like punctuation
    if (out.endsWith(')') && count(out, '(') < count(out, ')')) out = out.slice(0, -1)
    if (out === before) return out
  }
}

function count(text: string, ch: string): number {
  return text.split(ch).length - 1
}

/**
 * A description (rulebook C-07/C-08): ASCII, no product names, single-spaced, starting with a capital letter and
 * ending with a period, at most `max` characters (cut at a sentence end when possible). Returns `fallback`
 * (shaped the same way) when the text has no letters left.
 */
export function toSentence(text: string | undefined, fallback: string, max = 1000): string {
  const shape = (s: string) => {
    let out = stripProductNames(toAscii(s))
    if (out.length > max - 1) {
      const head = out.slice(0, max - 1)
      const end = head.lastIndexOf('. ')
      out = end > max / 2 ? head.slice(0, end + 1) : cutAtWord(head, max - 4)
    }
    out = out.replace(/[\s:;,\-!?]+$/, '')
    if (!out.endsWith('.')) out += '.'
    return capitalize(out)
  }
  const sentence = text ? shape(text) : ''
  return /[A-Za-z]/.test(sentence) ? sentence : shape(fallback)
}

/** Appends a sentence to a description that already ends with a period. */
export function appendSentence(description: string, sentence: string): string {
  return `${description} ${sentence}`
}

/**
 * The connector title (rulebook C-01): ASCII, at most 30 characters, without the words "API" and "Connector" or
 * product names, ending with an alphanumeric character.
 */
export function toConnectorTitle(text: string | undefined, fallback = 'MCP Tools'): string {
  const shape = (s: string) => {
    const cleaned = stripProductNames(toAscii(s))
      .replace(/\b(?:apis?|connectors?)\b/gi, ' ')
      .replace(/[^A-Za-z0-9 ()'.,&+-]+/g, ' ')
    return capitalize(trimSummaryEnd(cutAtWord(tidySpaces(cleaned), 30)))
  }
  const title = text ? shape(text) : ''
  return /[A-Za-z0-9]/.test(title) ? title : shape(fallback)
}

/**
 * The connector description (rulebook C-02): ASCII sentences of 30 to 500 characters, without product names or
 * the word "API". Too-short text is completed with `filler`.
 */
export function toConnectorDescription(text: string | undefined, filler: string): string {
  const noApi = (s: string) => s.replace(/\bapi(s?)\b/gi, (_m, plural: string) => (plural ? 'services' : 'service'))
  let out = toSentence(text ? noApi(text) : undefined, noApi(filler), 500)
  if (out.length < 30) out = toSentence(`${out} ${noApi(filler)}`, noApi(filler), 500)
  return out
}
