/**
 * @module interaction/adaptive-card
 * An Adaptive Card (1.5, what Teams renders) for a question: the message, one input per property of the vendor's
 * `requestedSchema` (text, number, toggle, choice set, multi-select, date, time), defaults filled in, and Submit /
 * Decline actions whose `data` names the question and the action. A URL question gets an "Open" link and a
 * Done button. The card's response (input values are strings there) is what `POST /jobs/{id}/answers` coerces.
 */

type Json = Record<string, unknown>

const SCHEMA_URL = 'http://adaptivecards.io/schemas/adaptive-card.json'

/** Choices of a single- or multi-select property: `enum` (+ legacy `enumNames`), or `oneOf`/`anyOf` of `{const, title}`. */
export function choicesOf(prop: Json): { title: string; value: string }[] | undefined {
  const source = prop.type === 'array' ? ((prop.items ?? {}) as Json) : prop
  if (Array.isArray(source.enum)) {
    const names = Array.isArray(prop.enumNames) ? (prop.enumNames as unknown[]) : []
    return source.enum.map((v, i) => ({ title: String(names[i] ?? v), value: String(v) }))
  }
  const options = (source.oneOf ?? source.anyOf) as Json[] | undefined
  if (Array.isArray(options) && options.every((o) => o && typeof o === 'object' && 'const' in o))
    return options.map((o) => ({ title: String(o.title ?? o.const), value: String(o.const) }))
  return undefined
}

/** The card input for one property. */
function inputFor(name: string, prop: Json, required: boolean): Json {
  const label = String(prop.title ?? name) + (typeof prop.description === 'string' ? ` (${prop.description})` : '')
  const base: Json = { id: name, label, isRequired: required, ...(required ? { errorMessage: `${prop.title ?? name} is required` } : {}) }
  const def = prop.default
  const choices = choicesOf(prop)
  if (choices) {
    const multi = prop.type === 'array'
    return {
      ...base,
      type: 'Input.ChoiceSet',
      choices,
      style: multi ? 'expanded' : 'compact',
      ...(multi ? { isMultiSelect: true } : {}),
      ...(def !== undefined ? { value: Array.isArray(def) ? def.map(String).join(',') : String(def) } : {}),
    }
  }
  if (prop.type === 'boolean')
    return { ...base, type: 'Input.Toggle', title: String(prop.title ?? name), valueOn: 'true', valueOff: 'false', value: def === true ? 'true' : 'false' }
  if (prop.type === 'number' || prop.type === 'integer')
    return {
      ...base,
      type: 'Input.Number',
      ...(typeof prop.minimum === 'number' ? { min: prop.minimum } : {}),
      ...(typeof prop.maximum === 'number' ? { max: prop.maximum } : {}),
      ...(typeof def === 'number' ? { value: def } : {}),
    }
  if (prop.format === 'date') return { ...base, type: 'Input.Date', ...(typeof def === 'string' ? { value: def } : {}) }
  return {
    ...base,
    type: 'Input.Text',
    ...(prop.format === 'email' ? { style: 'Email' } : prop.format === 'uri' ? { style: 'Url' } : {}),
    ...(prop.format === 'date-time' ? { placeholder: 'YYYY-MM-DDThh:mm:ssZ' } : {}),
    ...(typeof prop.maxLength === 'number' ? { maxLength: prop.maxLength } : {}),
    ...(typeof prop.pattern === 'string' ? { regex: prop.pattern } : {}),
    ...(typeof def === 'string' ? { value: def } : {}),
  }
}

/** The card of a question: a form from its schema, or a link for a URL question. */
export function adaptiveCard(q: { id: string; message: string; schema?: Json; url?: string }): Json {
  const body: Json[] = [{ type: 'TextBlock', text: q.message || 'Input needed', wrap: true, weight: 'Bolder' }]
  const submit = (title: string, action: string, withInputs: boolean): Json => ({
    type: 'Action.Submit',
    title,
    data: { questionId: q.id, action },
    ...(withInputs ? {} : { associatedInputs: 'none' }),
  })
  if (q.url !== undefined) {
    return {
      type: 'AdaptiveCard',
      $schema: SCHEMA_URL,
      version: '1.5',
      body,
      actions: [{ type: 'Action.OpenUrl', title: 'Open', url: q.url }, submit('Done', 'accept', false), submit('Decline', 'decline', false)],
    }
  }
  const properties = (q.schema?.properties ?? {}) as Record<string, Json>
  const required = new Set(Array.isArray(q.schema?.required) ? (q.schema!.required as string[]) : [])
  for (const [name, prop] of Object.entries(properties)) body.push(inputFor(name, prop ?? {}, required.has(name)))
  return { type: 'AdaptiveCard', $schema: SCHEMA_URL, version: '1.5', body, actions: [submit('Submit', 'accept', true), submit('Decline', 'decline', false)] }
}
