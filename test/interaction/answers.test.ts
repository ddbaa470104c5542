/**
 * Questions and answers without a vendor: the Adaptive Card built from each primitive kind of requestedSchema, and
 * the answer rules (short and full forms, defaults, card-string coercion for connector calls, pointers, ids).
 */
import { describe, expect, it } from 'vitest'
import { readAnswers } from '../../src/interaction/answers.js'
import { questionOf } from '../../src/interaction/questions.js'
import { ApiError } from '../../src/errors/api-error.js'

const schema = {
  type: 'object',
  properties: {
    name: { type: 'string', title: 'Name', maxLength: 20, pattern: '^[A-Z]', default: 'Ada' },
    email: { type: 'string', format: 'email' },
    day: { type: 'string', format: 'date', default: '2026-12-24' },
    count: { type: 'integer', minimum: 1, maximum: 5, default: 3 },
    ok: { type: 'boolean', default: true },
    size: { type: 'string', enum: ['s', 'm'], enumNames: ['Small', 'Medium'] },
    tags: { type: 'array', items: { anyOf: [{ const: 'a', title: 'A' }, { const: 'b', title: 'B' }] }, default: ['a'] },
  },
  required: ['email'],
}
const form = questionOf('q1', { message: 'Fill in', requestedSchema: schema })
const url = questionOf('q2', { mode: 'url', message: 'Sign in', url: 'https://example.com/x' })

const rejection = (fn: () => unknown): ApiError => {
  try {
    fn()
  } catch (error) {
    return error as ApiError
  }
  throw new Error('expected a rejection')
}

describe('Adaptive Card of a question', () => {
  it('has one input per property kind, defaults filled, required marked, Submit and Decline', () => {
    const card = form.adaptiveCard as { version: string; body: any[]; actions: any[] }
    expect(card.version).toBe('1.5')
    const input = (id: string) => card.body.find((b) => b.id === id)
    expect(input('name')).toMatchObject({ type: 'Input.Text', maxLength: 20, regex: '^[A-Z]', value: 'Ada', isRequired: false })
    expect(input('email')).toMatchObject({ type: 'Input.Text', style: 'Email', isRequired: true })
    expect(input('day')).toMatchObject({ type: 'Input.Date', value: '2026-12-24' })
    expect(input('count')).toMatchObject({ type: 'Input.Number', min: 1, max: 5, value: 3 })
    expect(input('ok')).toMatchObject({ type: 'Input.Toggle', value: 'true', valueOn: 'true', valueOff: 'false' })
    expect(input('size')).toMatchObject({ type: 'Input.ChoiceSet', choices: [{ title: 'Small', value: 's' }, { title: 'Medium', value: 'm' }] })
    expect(input('tags')).toMatchObject({ type: 'Input.ChoiceSet', isMultiSelect: true, value: 'a', choices: [{ title: 'A', value: 'a' }, { title: 'B', value: 'b' }] })
    expect(card.actions.map((a) => [a.title, a.data.action, a.data.questionId])).toEqual([
      ['Submit', 'accept', 'q1'],
      ['Decline', 'decline', 'q1'],
    ])
  })

  it('a url question links to the page', () => {
    expect(url).toMatchObject({ kind: 'url', url: 'https://example.com/x' })
    expect((url.adaptiveCard.actions as any[])[0]).toEqual({ type: 'Action.OpenUrl', title: 'Open', url: 'https://example.com/x' })
  })
})

describe('answers', () => {
  it('fills defaults on accept (short form for the one pending question)', () => {
    const replies = readAnswers({ action: 'accept', content: { email: 'a@b.co' } }, [form], false)
    expect(replies.get('q1')).toEqual({ action: 'accept', content: { email: 'a@b.co', name: 'Ada', day: '2026-12-24', count: 3, ok: true, tags: ['a'] } })
  })

  it('coerces card strings for connector calls only', () => {
    const card = { email: 'a@b.co', count: '4', ok: 'false', tags: 'a,b' }
    expect(readAnswers({ action: 'accept', content: card }, [form], true).get('q1')!.content).toMatchObject({ count: 4, ok: false, tags: ['a', 'b'] })
    const e = rejection(() => readAnswers({ action: 'accept', content: card }, [form], false))
    expect(e.code).toBe('invalid_answer')
    expect(e.options.errors!.map((x) => x.pointer).sort()).toEqual(['/content/count', '/content/ok', '/content/tags'])
  })

  it('points into the full form, and needs question ids when several are pending', () => {
    const e = rejection(() => readAnswers({ answers: [{ questionId: 'q2', action: 'accept' }, { questionId: 'q1', action: 'accept', content: { email: 'nope' } }] }, [form, url], false))
    expect(e.options.errors).toEqual([{ pointer: '/answers/1/content/email', message: 'must match format "email"' }])
    expect(rejection(() => readAnswers({ action: 'decline' }, [form, url], false)).code).toBe('invalid_answer')
    expect(readAnswers({ answers: [{ questionId: 'q2', action: 'accept' }] }, [form, url], false).get('q2')).toEqual({ action: 'accept' })
  })

  it('refuses unknown or repeated question ids as not pending, and bad actions with a pointer', () => {
    expect(rejection(() => readAnswers({ answers: [{ questionId: 'zz', action: 'cancel' }] }, [form], false)).code).toBe('question_not_pending')
    expect(rejection(() => readAnswers({ answers: [{ questionId: 'q1', action: 'cancel' }, { questionId: 'q1', action: 'cancel' }] }, [form], false)).code).toBe('question_not_pending')
    expect(rejection(() => readAnswers({ action: 'ok' }, [form], false)).options.errors).toEqual([{ pointer: '/action', message: 'must be one of ["accept","decline","cancel"]' }])
  })
})
