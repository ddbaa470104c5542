/**
 * @module interaction/coordinator
 * Interactive jobs (`Prefer: input-required`) across replicas, through the shared job store.
 *
 * - **2026-07-28 vendors** answer `input_required` (SEP-2322). The round's questions, the vendor's `requestState`
 *   and the call itself are stored; no process holds anything while questions wait. The replica that receives the
 *   last answer of a round (one only: a claim per round) resumes with `inputResponses` + `requestState`.
 * - **2025 vendors** push `elicitation/create` while the request runs, so the replica that started the call (the
 *   owner) holds the live request and a lease it renews. An answer posted to any replica is claimed in the store
 *   (once per question: the same answer is never forwarded twice) and the owner picks it up (at once when it is the
 *   same replica, else on its next store poll). A poll that finds the lease expired answers 502
 *   `vendor_interrupted`. Before the vendor's own request timeout, the owner answers `cancel` itself and says so in
 *   the job's notes.
 * - **Cancel** (`DELETE /jobs/{id}`) leaves a claim the owner sees: pending questions are answered `cancel` and the
 *   running request is aborted (the SDK sends `notifications/cancelled`); polls then answer 409 `job_cancelled`.
 */
import { randomBytes } from 'node:crypto'
import { ApiError } from '../errors/api-error.js'
import { toProblem } from '../errors/problem.js'
import type { Logger } from '../log.js'
import type { JobOutcome, JobRecord, JobStore } from '../sessions/job-store.js'
import type { CallerContext } from '../sessions/manager.js'
import { storeUnavailable } from '../sessions/store-unavailable.js'
import type { ElicitationAsk, ElicitationReply, InputRequiredAnswer, VendorLogMessage } from '../upstream/index.js'
import { readAnswers } from './answers.js'
import { questionOf, type Question } from './questions.js'
import type { CallSpec, InteractionState } from './state.js'

/** The `interaction` settings of a server (config defaults merged). */
export interface InteractionSettings {
  elicitation: 'ask' | 'off'
  answerTtlSeconds: number
  maxRounds: number
  roots: { uri: string; name?: string }[]
  /** The vendor's own timeout of its `elicitation/create` (the SDKs' 60 s unless the vendor raised it). */
  vendorRequestTimeoutMs: number
  /** Lease of the replica holding a live request. */
  ownerLeaseMs: number
}

/** One vendor request of an interactive call, as the runtime runs it. */
export interface RunInput {
  caller: CallerContext
  signal: AbortSignal
  /** 2025: answers each `elicitation/create` of the live request. */
  elicit?: (ask: ElicitationAsk, signal: AbortSignal) => Promise<ElicitationReply>
  /** 2026-07-28: the retry's answers and the vendor's state. */
  resume?: { inputResponses: Record<string, unknown>; requestState?: string }
  /** The vendor's progress and log messages, for a caller that is still listening (the `/mcp` relay). */
  onProgress?: Observers['onProgress']
  onLog?: Observers['onLog']
  logLevel?: Observers['logLevel']
}

/** Who hears the vendor's progress and log messages of a call while it runs here (never stored). */
export interface Observers {
  onProgress?: (p: { progress: number; total?: number; message?: string }) => void
  onLog?: (message: VendorLogMessage) => void
  /** 2026-07-28: the level the listening caller named for this request (its vendor requests carry it in `_meta`). */
  logLevel?: string
}

/** What one vendor request of an interactive call ended with; never a rejection. */
export type RunResult = { kind: 'outcome'; outcome: JobOutcome } | { kind: 'input'; answer: InputRequiredAnswer }

/** Builds the runner of a call for a caller (the runtime knows tools, sessions and the envelope). */
export type RunnerFactory = (call: CallSpec, caller: CallerContext) => (input: RunInput) => Promise<RunResult>

/** What the HTTP layer answers next. */
export type Step =
  | { kind: 'done'; outcome: JobOutcome }
  | { kind: 'input_required'; job: JobRecord & { interaction: InteractionState } }
  | { kind: 'accepted'; job: JobRecord }

/** Options of {@link InteractionCoordinator}. */
export interface CoordinatorOptions {
  store: JobStore
  server: string
  settings: InteractionSettings
  /** How long a finished job's answer stays. */
  resultTtlSeconds: number
  makeRunner: RunnerFactory
  log: Logger
  /**
   * How often a waiting request looks at the store (ms; default 250). Changes are announced on pub/sub, so this is
   * the fallback for a lost announcement; the owner of a live request looks four times less often (at least every
   * third of its lease, which it renews then).
   */
  pollMs?: number
}

/** A job whose live request runs in this process. */
interface LiveJob {
  record: JobRecord & { interaction: InteractionState }
  abort: AbortController
  /** 2025: the elicitation waiting for its answer. */
  parked?: { round: number; questionId: string; settle: (reply: ElicitationReply, note?: string) => void }
  saving: Promise<void>
  timer?: NodeJS.Timeout
  leaseRenewedAt: number
  ticking: boolean
}

/** Answered before the vendor's own request timeout fires (the SDKs time out at 60 s). */
const VENDOR_TIMEOUT_MARGIN_MS = 5_000

export const newJobId = () => 'job_' + randomBytes(18).toString('base64url')


/** Interactive jobs of one server. */
export class InteractionCoordinator {
  /** This replica, as named in leases. */
  readonly replica = randomBytes(9).toString('base64url')
  readonly #live = new Map<string, LiveJob>()
  /** Local listeners waiting for a job's next state. */
  readonly #listeners = new Map<string, Set<() => void>>()
  readonly #pollMs: number
  readonly #leaseMs: number

  constructor(private readonly options: CoordinatorOptions) {
    this.#pollMs = options.pollMs ?? 250
    this.#leaseMs = options.settings.ownerLeaseMs
    // A change announced by any replica: waiters look again, and the owner of a live request looks for its answer.
    options.store.subscribe((id) => {
      this.#notify(id)
      const live = this.#live.get(id)
      if (live) void this.#tick(live)
    })
  }

  /** Announces a change of a job to every replica (best effort). */
  #announce(id: string) {
    void this.options.store.publish(id).catch(() => undefined)
  }

  get settings() {
    return this.options.settings
  }

  /** Seconds a record stays in the store (questions wait up to the answer TTL; finished answers stay the result TTL). */
  get #ttlSeconds() {
    return Math.max(this.options.settings.answerTtlSeconds, this.options.resultTtlSeconds) + 60
  }

  /**
   * Starts an interactive call and answers its first step: the result, the first questions, or (past `waitMs`) a
   * running job to poll. `resume`: 2026-07-28 answers the caller sent with its first request (passed on as they are).
   * @throws ApiError `store_unavailable`
   */
  async start(call: CallSpec, caller: CallerContext, era: 'legacy' | 'modern', waitMs: number, observers?: Observers, resume?: RunInput['resume']): Promise<Step> {
    const record: LiveJob['record'] = {
      id: newJobId(),
      server: this.options.server,
      identity: caller.identity,
      tool: call.tool,
      startedAt: Date.now(),
      // 2025 arguments stay in the live request: nothing resumes them elsewhere.
      interaction: { era, phase: 'running', round: 0, questions: [], call: era === 'modern' ? call : { ...call, args: undefined } },
    }
    const live = this.#adopt(record)
    void this.#drive(live, call, caller, resume, observers)
    return this.#nextStep(record.id, 0, Date.now() + waitMs)
  }

  /**
   * Takes the answers posted for a job and answers its next step.
   * @throws ApiError `job_not_found`, `job_cancelled`, `question_not_pending`, `invalid_answer`, `store_unavailable`
   */
  async answer(jobId: string, caller: CallerContext, body: Record<string, unknown>, fromConnector: boolean, waitMs: number, observers?: Observers): Promise<Step> {
    const rec = await this.#interactive(jobId, caller.identity)
    if (rec.cancelled || (await this.#peek(jobId, 'cancel'))) throw new ApiError('job_cancelled')
    const i = rec.interaction
    if (rec.outcome || i.phase !== 'waiting') throw new ApiError('question_not_pending', { detail: rec.outcome ? 'The job has finished.' : 'No question is waiting for an answer right now.' })
    if (i.expiresAt !== undefined && Date.now() > i.expiresAt) throw new ApiError('question_not_pending', { detail: 'The questions expired (interaction.answerTtlSeconds).' })
    const previous = await Promise.all(i.questions.map((q) => this.#peek(jobId, `a:${i.round}:${q.id}`)))
    const pending = i.questions.filter((_, k) => previous[k] === undefined)
    if (!pending.length) throw new ApiError('question_not_pending', { detail: 'Every question of this round was answered already.' })
    const replies = readAnswers(body, pending, fromConnector || i.call.fromConnector)
    for (const [questionId, reply] of replies) {
      const taken = await this.#store(() => this.options.store.claim(jobId, `a:${i.round}:${questionId}`, reply, this.#ttlSeconds))
      if (!taken) throw new ApiError('question_not_pending', { detail: `Question "${questionId}" was answered already.` })
    }
    this.#announce(jobId)
    if (i.era === 'legacy') {
      const [[questionId, reply]] = [...replies]
      const live = this.#live.get(jobId)
      if (live?.parked && live.parked.round === i.round && live.parked.questionId === questionId) live.parked.settle(reply)
      return this.#nextStep(jobId, i.round, Date.now() + waitMs)
    }
    const answers = new Map<string, unknown>()
    i.questions.forEach((q, k) => {
      const given = replies.get(q.id) ?? previous[k]
      if (given !== undefined) answers.set(q.id, given)
    })
    if (answers.size < i.questions.length) {
      // Some questions of the round still wait: answer with those.
      return { kind: 'input_required', job: { ...rec, interaction: { ...i, questions: i.questions.filter((q) => !answers.has(q.id)) } } }
    }
    // One replica resumes a round; the others wait for what it gets.
    const resumer = await this.#store(() => this.options.store.claim(jobId, `go:${i.round}`, this.replica, this.#ttlSeconds))
    if (!resumer) return this.#nextStep(jobId, i.round, Date.now() + waitMs)
    const record: LiveJob['record'] = { ...rec, interaction: { ...i, phase: 'running', questions: [], expiresAt: undefined } }
    const live = this.#adopt(record)
    const inputResponses = { ...(i.resume?.auto ?? {}), ...Object.fromEntries(answers) }
    void this.#drive(live, i.call, caller, { inputResponses, requestState: i.resume?.requestState }, observers)
    return this.#nextStep(jobId, i.round, Date.now() + waitMs)
  }

  /**
   * Cancels a job: pending questions are answered `cancel`, a running request is aborted.
   * @throws ApiError `job_not_found`, `job_finished`, `store_unavailable`
   */
  async cancel(jobId: string, caller: CallerContext): Promise<void> {
    const rec = await this.#interactive(jobId, caller.identity)
    if (rec.cancelled) return
    if (rec.outcome) throw new ApiError('job_finished')
    await this.#store(() => this.options.store.claim(jobId, 'cancel', true, this.#ttlSeconds))
    this.#announce(jobId)
    const live = this.#live.get(jobId)
    if (live) return this.#cancelLive(live)
    const i = rec.interaction
    if (i.era === 'modern' && i.phase === 'waiting' && !i.owner) {
      // Nobody holds the call: record the cancel, and tell the vendor (its questions answered `cancel`), best effort.
      const record = { ...rec, cancelled: true, outcome: cancelledOutcome(i.call.instance), finishedAt: Date.now() }
      await this.#store(() => this.options.store.put(record, this.#ttlSeconds))
      const inputResponses = { ...(i.resume?.auto ?? {}), ...Object.fromEntries(i.questions.map((q) => [q.id, { action: 'cancel' }])) }
      const run = this.options.makeRunner(i.call, caller)
      void run({ caller, signal: AbortSignal.timeout(30_000), resume: { inputResponses, requestState: i.resume?.requestState } }).catch(() => undefined)
    }
    // Else another replica holds the live request: it sees the cancel claim on its next poll.
  }

  /**
   * What a poll of an interactive job answers (`GET /jobs/{jobId}`).
   * @throws ApiError `store_unavailable`
   */
  async view(rec: JobRecord & { interaction: InteractionState }): Promise<Step> {
    if (rec.cancelled || (!rec.outcome && (await this.#peek(rec.id, 'cancel')))) return { kind: 'done', outcome: cancelledOutcome(rec.interaction.call.instance) }
    return this.#stepOf(rec, -1) ?? { kind: 'accepted', job: rec }
  }

  /**
   * The current step of a job of this caller, as a poll sees it (the `/mcp` relay re-asks questions a retry left
   * unanswered with it).
   * @throws ApiError `job_not_found`, `store_unavailable`
   */
  async current(jobId: string, caller: CallerContext): Promise<Step> {
    return this.view(await this.#interactive(jobId, caller.identity))
  }

  /** Stops timers; live requests end with their sessions. */
  shutdown() {
    for (const live of this.#live.values()) clearInterval(live.timer)
  }

  // ---- owner side ---------------------------------------------------------------------------------------------

  /** Makes this process the owner of a job's live request: lease, store polling, saved at once. */
  #adopt(record: LiveJob['record']): LiveJob {
    record.interaction.owner = this.replica
    record.interaction.leaseUntil = Date.now() + this.#leaseMs
    const live: LiveJob = { record, abort: new AbortController(), saving: Promise.resolve(), leaseRenewedAt: Date.now(), ticking: false }
    this.#live.set(record.id, live)
    live.timer = setInterval(() => void this.#tick(live), Math.min(this.#pollMs * 4, this.#leaseMs / 3))
    live.timer.unref()
    void this.#save(live)
    return live
  }

  /** One look at the store for the owner: a cancel, the parked question's answer, and the lease. */
  async #tick(live: LiveJob) {
    if (live.ticking) return
    live.ticking = true
    const id = live.record.id
    try {
      if (await this.options.store.peek(id, 'cancel')) return void (await this.#cancelLive(live))
      const parked = live.parked
      if (parked) {
        const reply = (await this.options.store.peek(id, `a:${parked.round}:${parked.questionId}`)) as ElicitationReply | undefined
        if (reply && live.parked === parked) parked.settle(reply)
      }
      if (Date.now() - live.leaseRenewedAt > this.#leaseMs / 3) {
        live.leaseRenewedAt = Date.now()
        live.record.interaction.leaseUntil = Date.now() + this.#leaseMs
        await this.#save(live)
      }
    } catch (error) {
      // The store is away: the lease runs out and polls on other replicas say so; the call itself goes on.
      this.options.log.warn('interactive job: store not reachable', { job: id, error: (error as Error).message })
    } finally {
      live.ticking = false
    }
  }

  /** Writes the live record, one write at a time. */
  #save(live: LiveJob): Promise<void> {
    const snapshot = structuredClone(live.record)
    live.saving = live.saving.catch(() => undefined).then(() => this.options.store.put(snapshot, this.#ttlSeconds))
    return live.saving
  }

  /** Saves, then wakes local waiters (they read the saved state). */
  async #publish(live: LiveJob) {
    await this.#save(live).catch((error: unknown) => this.options.log.warn('interactive job not saved', { job: live.record.id, error: (error as Error).message }))
    this.#notify(live.record.id)
    this.#announce(live.record.id)
  }

  /** Ends this process's ownership (the record in the store is the job from now on). */
  #release(live: LiveJob) {
    clearInterval(live.timer)
    this.#live.delete(live.record.id)
  }

  /** Runs the call (2025: one live request; 2026-07-28: until it answers or needs people) and records each step. */
  async #drive(live: LiveJob, call: CallSpec, caller: CallerContext, resume?: RunInput['resume'], observers: Observers = {}) {
    const i = live.record.interaction
    const run = this.options.makeRunner(call, caller)
    const { maxRounds } = this.options.settings
    try {
      for (;;) {
        const result = await run({ caller, signal: live.abort.signal, resume, ...observers, elicit: i.era === 'legacy' ? (ask, signal) => this.#ask(live, ask, signal) : undefined })
        if (live.record.cancelled) return
        if (result.kind === 'outcome') return await this.#finish(live, withNotes(result.outcome, i.notes))
        const { questions, auto, unsupported } = splitInputRequests(result.answer.inputRequests, this.options.settings.roots)
        if (unsupported.length)
          return await this.#finish(live, problemOutcome(new ApiError('vendor_bad_response', { detail: `The vendor asked for ${unsupported.join(', ')}, which the facade never declared.` }), call.instance))
        i.round++
        if (i.round > maxRounds)
          return await this.#finish(live, problemOutcome(new ApiError('vendor_bad_response', { detail: `The vendor asked more than interaction.maxRounds (${maxRounds}) rounds of questions.` }), call.instance))
        if (!questions.length) {
          // Only questions the facade answers itself (roots): go on at once.
          resume = { inputResponses: auto, requestState: result.answer.requestState }
          continue
        }
        Object.assign(i, {
          phase: 'waiting',
          questions,
          expiresAt: Date.now() + this.options.settings.answerTtlSeconds * 1000,
          resume: { requestState: result.answer.requestState, auto },
          owner: undefined,
          leaseUntil: undefined,
        })
        // Nobody holds a 2026-07-28 call while it waits: any replica resumes it.
        this.#release(live)
        return await this.#publish(live)
      }
    } catch (error) {
      this.options.log.error('interactive call failed unexpectedly', { job: live.record.id, error: (error as Error).message })
      await this.#finish(live, problemOutcome(new ApiError('internal_error'), call.instance))
    }
  }

  async #finish(live: LiveJob, outcome: JobOutcome) {
    if (live.record.cancelled) return
    live.record.outcome = outcome
    live.record.finishedAt = Date.now()
    Object.assign(live.record.interaction, { phase: 'running', questions: [], owner: undefined, leaseUntil: undefined })
    this.#release(live)
    await this.#publish(live)
  }

  /** 2025: a question pushed by the vendor during the live request; resolves with the answer to send back. */
  #ask(live: LiveJob, ask: ElicitationAsk, signal: AbortSignal): Promise<ElicitationReply> {
    const i = live.record.interaction
    const { answerTtlSeconds, maxRounds, vendorRequestTimeoutMs } = this.options.settings
    if (live.record.cancelled) return Promise.resolve({ action: 'cancel' })
    i.round++
    if (i.round > maxRounds) {
      ;(i.notes ??= []).push(`The vendor asked more than interaction.maxRounds (${maxRounds}) questions: the facade answered cancel.`)
      return Promise.resolve({ action: 'cancel' })
    }
    const question = questionOf(`q${i.round}`, ask)
    const ttlMs = answerTtlSeconds * 1000
    const vendorWaitMs = Math.max(1_000, vendorRequestTimeoutMs - VENDOR_TIMEOUT_MARGIN_MS)
    const waitMs = Math.min(ttlMs, vendorWaitMs)
    Object.assign(i, { phase: 'waiting', questions: [question], expiresAt: Date.now() + waitMs })
    return new Promise<ElicitationReply>((resolve) => {
      const settle = (reply: ElicitationReply, note?: string) => {
        if (live.parked?.settle !== settle) return
        clearTimeout(timer)
        live.parked = undefined
        if (note) (i.notes ??= []).push(note)
        Object.assign(i, { phase: 'running', questions: [], expiresAt: undefined })
        void this.#publish(live)
        resolve(reply)
      }
      const timer = setTimeout(() => {
        const note =
          waitMs < ttlMs
            ? `No answer to question ${question.id} within ${Math.round(waitMs / 1000)} s: the facade answered cancel before the vendor's own request timeout (${Math.round(vendorRequestTimeoutMs / 1000)} s) would end the call.`
            : `No answer to question ${question.id} within interaction.answerTtlSeconds (${answerTtlSeconds} s): the facade answered cancel.`
        settle({ action: 'cancel' }, note)
      }, waitMs)
      timer.unref()
      live.parked = { round: i.round, questionId: question.id, settle }
      signal.addEventListener('abort', () => settle({ action: 'cancel' }), { once: true })
      void this.#publish(live)
    })
  }

  /** Cancels a job this process holds: its question answered `cancel`, then the request aborted. */
  async #cancelLive(live: LiveJob) {
    if (live.record.cancelled) return
    live.record.cancelled = true
    live.record.outcome = cancelledOutcome(live.record.interaction.call.instance)
    live.record.finishedAt = Date.now()
    live.parked?.settle({ action: 'cancel' })
    // Let the `cancel` answer leave first; then the SDK sends notifications/cancelled for the running request.
    setTimeout(() => live.abort.abort(new Error('cancelled by the caller')), 100).unref()
    this.#release(live)
    await this.#publish(live)
  }

  // ---- waiting for the next step ------------------------------------------------------------------------------

  #notify(id: string) {
    for (const wake of this.#listeners.get(id) ?? []) wake()
  }

  /** Resolves on a local change of the job or after `ms` (changes on other replicas are seen by polling). */
  #changed(id: string, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const set = this.#listeners.get(id) ?? new Set()
      this.#listeners.set(id, set)
      const done = () => {
        clearTimeout(timer)
        set.delete(done)
        if (!set.size) this.#listeners.delete(id)
        resolve()
      }
      const timer = setTimeout(done, ms)
      set.add(done)
    })
  }

  /** The job's next step after round `afterRound`, or a running job once `deadline` has passed. */
  async #nextStep(id: string, afterRound: number, deadline: number): Promise<Step> {
    for (;;) {
      const live = this.#live.get(id)
      const rec = live ? live.record : await this.#read(id)
      if (!rec?.interaction) throw new ApiError('job_not_found')
      if (rec.cancelled) return { kind: 'done', outcome: cancelledOutcome(rec.interaction.call.instance) }
      const step = this.#stepOf(rec as LiveJob['record'], afterRound)
      if (step) return step
      const left = deadline - Date.now()
      if (left <= 0) return { kind: 'accepted', job: rec }
      await this.#changed(id, Math.min(live ? left : this.#pollMs, left))
    }
  }

  /** The step a record shows, if it is past `afterRound`: an outcome, questions, or a dead owner. */
  #stepOf(rec: JobRecord & { interaction: InteractionState }, afterRound: number): Step | undefined {
    if (rec.outcome) return { kind: 'done', outcome: rec.outcome }
    const i = rec.interaction
    if (i.owner && i.leaseUntil !== undefined && i.leaseUntil < Date.now())
      return {
        kind: 'done',
        outcome: problemOutcome(
          new ApiError('vendor_interrupted', { detail: 'The replica that held this call stopped answering; the call may have run. Check the vendor before calling again.' }),
          i.call.instance,
        ),
      }
    if (i.phase === 'waiting' && i.round > afterRound) {
      if (i.expiresAt !== undefined && Date.now() > i.expiresAt && !i.owner)
        return { kind: 'done', outcome: problemOutcome(new ApiError('job_cancelled', { detail: 'Nobody answered within interaction.answerTtlSeconds.' }), i.call.instance) }
      return { kind: 'input_required', job: rec }
    }
    return undefined
  }

  // ---- store access -------------------------------------------------------------------------------------------

  async #store<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work()
    } catch (error) {
      if (error instanceof ApiError) throw error
      throw storeUnavailable(error, 'The job store cannot be reached right now.')
    }
  }

  #read(id: string) {
    return this.#store(() => this.options.store.get(id))
  }

  #peek(id: string, name: string) {
    return this.#store(() => this.options.store.peek(id, name))
  }

  /** The interactive job, if it exists and belongs to this identity and server. */
  async #interactive(id: string, identity: string): Promise<JobRecord & { interaction: InteractionState }> {
    const live = this.#live.get(id)
    const rec = live?.record ?? (/^job_[A-Za-z0-9_-]{24}$/.test(id) ? await this.#read(id) : undefined)
    if (!rec || rec.identity !== identity || rec.server !== this.options.server || !rec.interaction) throw new ApiError('job_not_found')
    return rec as JobRecord & { interaction: InteractionState }
  }
}

/** Splits a round's input requests: elicitations for people, roots answered from configuration, the rest refused. */
export function splitInputRequests(requests: InputRequiredAnswer['inputRequests'], roots: InteractionSettings['roots']) {
  const questions: Question[] = []
  const auto: Record<string, unknown> = {}
  const unsupported: string[] = []
  for (const [key, request] of Object.entries(requests)) {
    if (request?.method === 'elicitation/create') questions.push(questionOf(key, (request.params ?? {}) as ElicitationAsk))
    else if (request?.method === 'roots/list' && roots.length) auto[key] = { roots }
    else unsupported.push(String(request?.method ?? key))
  }
  return { questions, auto, unsupported }
}

function problemOutcome(error: ApiError, instance: string): JobOutcome {
  return { status: error.status, body: toProblem(error, instance), headers: error.options.headers }
}

function cancelledOutcome(instance: string): JobOutcome {
  return problemOutcome(new ApiError('job_cancelled', { detail: 'The job was cancelled by its caller.' }), instance)
}

/** The facade's own decisions during the call, added to a successful final envelope. */
function withNotes(outcome: JobOutcome, notes: string[] | undefined): JobOutcome {
  if (!notes?.length || outcome.status >= 400 || !outcome.body || typeof outcome.body !== 'object') return outcome
  return { ...outcome, body: { ...(outcome.body as object), notes } }
}

