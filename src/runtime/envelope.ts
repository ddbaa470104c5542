/**
 * @module runtime/envelope
 * The success envelope, stable per tool: `{ isError, text, data?, content, sessionId?, sessionRenewed? }`.
 * `text` joins the text blocks, `content` keeps every block as returned, and `data` is `structuredContent`
 * wrapped so it is always an object (Power Platform gives dynamic content per field of an object only).
 */
import type { ContentBlock, ToolResult } from '../upstream/index.js'

/** The REST answer to a tool call. */
export interface ToolEnvelope {
  isError: boolean
  text: string
  data?: Record<string, unknown>
  content: ContentBlock[]
  sessionId?: string
  sessionRenewed?: boolean
  /** Always `complete`: the call has finished (an interactive call answers `input_required` until then). */
  status: 'complete'
  /** What the facade decided on its own during an interactive call. */
  notes?: string[]
}

/**
 * Wraps structured content into an object: objects as they are, arrays as `{ items }`, scalars as `{ value }`.
 * The Swagger emitter types `data` with the same rule.
 */
export function wrapData(structured: unknown): Record<string, unknown> | undefined {
  if (structured === undefined) return undefined
  if (Array.isArray(structured)) return { items: structured }
  if (structured !== null && typeof structured === 'object') return structured as Record<string, unknown>
  return { value: structured }
}

/** Joins the text blocks of a result, one per line. */
export function joinText(content: ContentBlock[]): string {
  return content
    .filter((b) => b.type === 'text' && typeof b.text === 'string')
    .map((b) => b.text as string)
    .join('\n')
}

/** Builds the envelope of a tool result. */
export function toEnvelope(result: ToolResult, session?: { sessionId?: string; renewed: boolean }): ToolEnvelope {
  const envelope: ToolEnvelope = {
    status: 'complete',
    isError: result.isError === true,
    text: joinText(result.content),
    content: result.content,
  }
  const data = wrapData(result.structuredContent)
  if (data !== undefined) envelope.data = data
  if (session?.sessionId) envelope.sessionId = session.sessionId
  if (session?.renewed) envelope.sessionRenewed = true
  return envelope
}
