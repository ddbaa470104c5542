/**
 * @module sessions/interaction-record
 * The interactive part of a job record (`Prefer: input-required` calls), as plain JSON types: the job store keeps
 * it, and src/interaction/ gives it its behaviour. Here, below both, so the store does not import the room above it.
 */

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
