/**
 * The routing of a 2025 caller's answers back to the call that asked (src/mcp-endpoint/downstream-elicitation):
 * ids unique per question, only the conversation that was asked can answer, cancellations name the id the caller
 * saw, and declared modes are remembered per conversation.
 */
import { describe, expect, it } from 'vitest'
import { DownstreamElicitation, elicitationModes, type WatchedTransport } from '../../src/mcp-endpoint/downstream-elicitation.js'

function transport() {
  const sent: any[] = []
  const received: any[] = []
  const t: WatchedTransport = {
    send: async (message) => void sent.push(message),
    onmessage: ((message: unknown) => void received.push(message)) as never,
  }
  return { t, sent, received }
}

describe('downstream elicitation routing', () => {
  it('gives each question an id of its own and delivers the answer to the transport that asked, with its id', async () => {
    const d = new DownstreamElicitation()
    const one = transport()
    const two = transport()
    const stopOne = d.watch(one.t, 'idA', 'conv1')
    const stopTwo = d.watch(two.t, 'idA', 'conv1')
    await one.t.send({ jsonrpc: '2.0', id: 0, method: 'elicitation/create', params: {} })
    await two.t.send({ jsonrpc: '2.0', id: 0, method: 'elicitation/create', params: {} })
    await one.t.send({ jsonrpc: '2.0', method: 'notifications/progress', params: {} })
    const [idOne, idTwo] = [one.sent[0].id, two.sent[0].id]
    expect(idOne).not.toBe(idTwo)
    expect(one.sent[1]).toEqual({ jsonrpc: '2.0', method: 'notifications/progress', params: {} })

    // Another identity or conversation presenting the id delivers nothing.
    expect(d.deliver('idB', 'conv1', { jsonrpc: '2.0', id: idTwo, result: { action: 'accept' } })).toBe(false)
    expect(d.deliver('idA', 'conv2', { jsonrpc: '2.0', id: idTwo, result: { action: 'accept' } })).toBe(false)
    expect(d.deliver('idA', undefined, { jsonrpc: '2.0', id: idTwo, result: { action: 'accept' } })).toBe(false)
    // A request, or a response not ours, goes its usual way.
    expect(d.deliver('idA', 'conv1', { jsonrpc: '2.0', id: idTwo, method: 'ping' })).toBe(false)
    expect(d.deliver('idA', 'conv1', { jsonrpc: '2.0', id: 7, result: {} })).toBe(false)
    expect(two.received).toEqual([])

    expect(d.deliver('idA', 'conv1', { jsonrpc: '2.0', id: idTwo, result: { action: 'decline' } })).toBe(true)
    expect(two.received).toEqual([{ jsonrpc: '2.0', id: 0, result: { action: 'decline' } }])
    expect(one.received).toEqual([])
    // Delivered once only.
    expect(d.deliver('idA', 'conv1', { jsonrpc: '2.0', id: idTwo, result: { action: 'decline' } })).toBe(false)

    // Our cancellation names the id the caller saw; stopping forgets what is unanswered.
    await one.t.send({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 0, reason: 'timeout' } })
    expect(one.sent[2].params.requestId).toBe(idOne)
    expect(d.pendingCount).toBe(1)
    stopOne()
    stopTwo()
    expect(d.pendingCount).toBe(0)
    expect(d.deliver('idA', 'conv1', { jsonrpc: '2.0', id: idOne, result: { action: 'accept' } })).toBe(false)
  })

  it('remembers the modes a conversation declared', () => {
    expect(elicitationModes({})).toBeUndefined()
    expect(elicitationModes({ elicitation: {} })).toEqual({ form: true, url: false })
    expect(elicitationModes({ elicitation: { url: {} } })).toEqual({ form: false, url: true })
    expect(elicitationModes({ elicitation: { form: {}, url: {} } })).toEqual({ form: true, url: true })
    const d = new DownstreamElicitation()
    d.remember('idA', 'conv1', { elicitation: { form: {} } })
    d.remember('idA', 'conv2', { sampling: {} })
    expect(d.modes('idA', 'conv1')).toEqual({ form: true, url: false })
    expect(d.modes('idB', 'conv1')).toBeUndefined()
    expect(d.modes('idA', 'conv2')).toBeUndefined()
    d.forget('idA', 'conv1')
    expect(d.modes('idA', 'conv1')).toBeUndefined()
  })
})
