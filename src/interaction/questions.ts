/**
 * @module interaction/questions
 * Turns a vendor's elicitation request into a REST question: `form` questions carry the vendor's
 * `requestedSchema` as sent and a ready Adaptive Card; `url` questions carry the URL to open.
 */
import type { ElicitationAsk } from '../upstream/index.js'
import { adaptiveCard } from './adaptive-card.js'

/** One question of a pending round. */
export interface Question {
  /** The vendor's `inputRequests` key (2026-07-28), or `q<round>` for a 2025 `elicitation/create`. */
  id: string
  kind: 'form' | 'url'
  message: string
  /** Form questions: the vendor's `requestedSchema`, unchanged. */
  schema?: Record<string, unknown>
  /** URL questions: where the user goes. */
  url?: string
  /** An Adaptive Card 1.5 for the question, to post as it is (Teams "Post adaptive card and wait for a response"). */
  adaptiveCard: Record<string, unknown>
}

/** The question for one elicitation request. */
export function questionOf(id: string, ask: ElicitationAsk): Question {
  const message = typeof ask.message === 'string' ? ask.message : ''
  if (ask.mode === 'url') {
    const url = typeof ask.url === 'string' ? ask.url : ''
    return { id, kind: 'url', message, url, adaptiveCard: adaptiveCard({ id, message, url }) }
  }
  const schema = (ask.requestedSchema ?? { type: 'object', properties: {} }) as Record<string, unknown>
  return { id, kind: 'form', message, schema, adaptiveCard: adaptiveCard({ id, message, schema }) }
}
