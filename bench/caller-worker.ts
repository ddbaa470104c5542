/**
 * @module bench/caller-worker
 * Optional (BENCH_CALLER=worker): makes the REST calls from a separate thread, so the main thread carries only
 * what is under test (the facade or the naive proxy) and not the HTTP client of its callers, who in production
 * sit on other machines. The direct SDK client has no such split: its client IS what is measured.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { createPoster, type HttpClientKind } from './http-client.js'
import { runLoad, type LoadOptions, type Slice } from './load.js'
import { restCall, type RestSpec } from './rest-call.js'

/** Data the main thread passes to the worker. */
export interface CallerWorkerData {
  http: HttpClientKind
  maxSockets: number
}

/** A request to run one slice of load. */
export interface CallerJob {
  id: number
  rest: RestSpec
  options: LoadOptions
  seqStart: number
}

/** The answer to a {@link CallerJob}. */
export interface CallerResult {
  id: number
  slice: Slice
}

const port = parentPort
if (!port) throw new Error('bench/caller-worker.ts must run as a worker thread')
const { http, maxSockets } = workerData as CallerWorkerData
const poster = createPoster(http, maxSockets)

port.on('message', (job: CallerJob | 'close') => {
  if (job === 'close') {
    poster.close()
    port.close()
    return
  }
  void runLoad(restCall(poster, job.rest), job.options, job.seqStart).then((slice) => {
    const result: CallerResult = { id: job.id, slice }
    port.postMessage(result)
  })
})
port.postMessage('ready')
