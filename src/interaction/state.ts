/**
 * @module interaction/state
 * What an interactive job (`Prefer: input-required`) keeps in the shared job store, and the REST body of a job
 * that waits for answers. Everything here is JSON: any replica reads it, and for 2026-07-28 vendors any replica
 * resumes the call from it.
 */
import type { Question } from './questions.js'

/** What is needed to run the call again on any replica. */
export interface CallSpec {
  /** The vendor's tool name. */
  tool: string
  /** The validated arguments in the vendor's names (absent for 2025 calls: they never resume elsewhere). */
  args?: Record<string, unknown>
  /** The caller session the call runs on, when the caller named one. */
  sessionId?: string
  /** The call came through the connector (its answers use renamed output names, and card strings are coerced). */
  fromConnector: boolean
  /** `instance` of problem documents. */
  instance: string
}

/** The interactive part of a job record. */
export interface InteractionState {
  /** 2025 vendors push `elicitation/create` during a live request; 2026-07-28 vendors answer `input_required`. */
  era: 'legacy' | 'modern'
  /** `waiting`: questions are pending; `running`: the vendor works (after answers, or before the first question). */
  phase: 'waiting' | 'running'
  /** 1 for the first set of questions, then one more per answered set. */
  round: number
  /** When the pending questions stop accepting answers (ms since epoch). */
  expiresAt?: number
  /** The pending round's questions. */
  questions: Question[]
  /** The call itself, so any replica can resume it (2026-07-28; 2025 keeps `args` only in the live request). */
  call: CallSpec
  /** The replica that holds the live request (2025 always; 2026-07-28 while a resumed call runs) and its lease. */
  owner?: string
  leaseUntil?: number
  /** 2026-07-28: what a replica needs to resume (the tool, its vendor arguments, the vendor's `requestState`). */
  resume?: {
    requestState?: string
    /** Input requests answered by the facade itself (roots from configuration), by key. */
    auto: Record<string, unknown>
  }
  /** What the facade decided on its own (e.g. answered `cancel` before the vendor's request timeout). */
  notes?: string[]
}

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
