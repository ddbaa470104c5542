/**
 * @module interaction/questions
 * Turns a vendor's elicitation request into a REST question: `form` questions carry the vendor's
 * `requestedSchema` as sent and a ready Adaptive Card; `url` questions carry the URL to open.
 */
import type { ElicitationAsk } from '../upstream/index.js'
import { adaptiveCard } from './adaptive-card.js'
import type { Question } from '../sessions/interaction-record.js'

export type { Question }

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
