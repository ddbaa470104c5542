/**
 * @module connector/interaction-operations
 * The connector's side of interactive calls: every tool operation sends `Prefer: input-required` as an internal
 * parameter (when the server's `interaction.elicitation` is `ask`), so a tool that asks gets a 200 with
 * `status: input_required`, its questions and their Adaptive Cards as outputs; `AnswerJob` posts the answer (one
 * question at a time, the card's response as `content`) and `CancelJob` (advanced) gives up.
 */
import { interactionOutputs } from '../swagger/tool-schemas.js'
import type { NonBodyParameter, Swagger2PathItem } from '../swagger/types.js'

/** The internal `Prefer` header of tool operations. */
export const PREFER_PARAMETER: NonBodyParameter = {
  name: 'Prefer',
  in: 'header',
  required: true,
  type: 'string',
  default: 'input-required',
  'x-ms-visibility': 'internal',
  'x-ms-summary': 'Prefer',
  description: 'Lets the tool ask questions: they come back with status input_required.',
}

const jobIdParameter = (description: string): NonBodyParameter => ({
  name: 'jobId',
  in: 'path',
  required: true,
  type: 'string',
  'x-ms-url-encoding': 'single',
  'x-ms-summary': 'Job ID',
  description,
})

const STATUS: Record<string, string> = { BadRequest: '400', Unauthorized: '401', NotFound: '404', Conflict: '409', BadGateway: '502', ServiceUnavailable: '503', GatewayTimeout: '504' }

/** References to the document-level error responses, by name. */
function errorRefs(...names: string[]) {
  return Object.fromEntries(names.map((n) => [STATUS[n]!, { $ref: `#/responses/${n}` }]))
}

/** `POST /jobs/{jobId}/answers` (AnswerJob) and `DELETE /jobs/{jobId}` (CancelJob). */
export function interactionOperations(clientParameter: string): Record<string, Swagger2PathItem> {
  return {
    '/jobs/{jobId}/answers': {
      post: {
        summary: 'Answer a question',
        description: 'Answers a question of a tool call that returned status input_required; the result is the next questions or the tool result.',
        operationId: 'AnswerJob',
        'x-ms-visibility': 'important',
        parameters: [
          jobIdParameter('The Job ID of the call that asks.'),
          {
            name: 'body',
            in: 'body',
            required: true,
            'x-ms-summary': 'Answer',
            description: 'The answer to one question.',
            schema: {
              type: 'object',
              properties: {
                questionId: { type: 'string', 'x-ms-summary': 'Question ID', description: 'The Question ID; optional when one question is pending.' },
                action: { type: 'string', 'x-ms-summary': 'Action', description: 'accept, decline or cancel.', enum: ['accept', 'decline', 'cancel'] },
                content: { type: 'object', 'x-ms-summary': 'Content', description: 'The values (for a card: its response); omitted ones take their defaults.' },
              },
              required: ['action'],
            },
          },
          { $ref: `#/parameters/${clientParameter}` },
        ],
        responses: {
          '200': {
            description: 'The next questions, or the tool result.',
            schema: {
              type: 'object',
              properties: {
                isError: { type: 'boolean', 'x-ms-summary': 'Is Error', description: 'True when the tool reported an error.' },
                text: { type: 'string', 'x-ms-summary': 'Text', description: 'The text returned by the tool.' },
                data: { type: 'object', 'x-ms-summary': 'Data', description: 'The structured result of the tool.' },
                ...interactionOutputs(),
              },
            },
          },
          '202': { $ref: '#/responses/Accepted' },
          ...errorRefs('BadRequest', 'Unauthorized', 'NotFound', 'Conflict', 'BadGateway', 'ServiceUnavailable', 'GatewayTimeout'),
        },
      },
    },
    '/jobs/{jobId}': {
      delete: {
        summary: 'Cancel a call',
        description: 'Cancels a call that asks questions or still runs; its pending questions are answered cancel.',
        operationId: 'CancelJob',
        'x-ms-visibility': 'advanced',
        parameters: [jobIdParameter('The Job ID of the call to cancel.')],
        responses: {
          '200': {
            description: 'Cancelled.',
            schema: {
              type: 'object',
              properties: {
                status: { type: 'string', 'x-ms-summary': 'Status', description: 'cancelled.' },
                jobId: { type: 'string', 'x-ms-summary': 'Job ID', description: 'The cancelled call.' },
              },
            },
          },
          ...errorRefs('Unauthorized', 'NotFound', 'Conflict', 'ServiceUnavailable'),
        },
      },
    },
  }
}
