/**
 * @module interaction/state
 * What an interactive job (`Prefer: input-required`) keeps in the shared job store, and the REST body of a job
 * that waits for answers. Everything here is JSON: any replica reads it, and for 2026-07-28 vendors any replica
 * resumes the call from it.
 */
import type { CallSpec, InteractionState } from '../sessions/interaction-record.js'

export type { CallSpec, InteractionState }

/** The `input_required` REST body (answered by the tool call, `GET /jobs/{jobId}` and `POST …/answers`). */
export function inputRequiredBody(job: { id: string; tool: string; interaction: InteractionState }, answerUrl: string) {
  const i = job.interaction
  const [first] = i.questions
  return {
    status: 'input_required' as const,
    jobId: job.id,
    tool: job.tool,
    round: i.round,
    expiresAt: new Date(i.expiresAt ?? Date.now()).toISOString(),
    answerUrl,
    ...(i.call.sessionId ? { sessionId: i.call.sessionId } : {}),
    question: first,
    questions: i.questions,
    ...(i.notes?.length ? { notes: i.notes } : {}),
  }
}
