/**
 * @module catalog/resource-templates
 * Resource templates as operations: each template's slug and operationId ({@link nameResourceTemplates}) and its
 * variables, the same for the REST route, the OpenAPI document and the connector. Templates whose variables a
 * query string or a connector cannot carry as parameters (not plain identifiers) are not offered as operations;
 * they stay readable by URI (`GET /resources/read`).
 */
import { nameResourceTemplates } from './naming.js'
import type { Catalog, CatalogResourceTemplate } from './types.js'
import { templateVariables, type TemplateVariable } from './uri-template.js'

/** A template offered as an operation. */
export interface TemplateOperation {
  template: CatalogResourceTemplate
  slug: string
  operationId: string
  variables: TemplateVariable[]
}

const PLAIN_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/
/** Query names the route reads itself (the session) or that would shadow another meaning. */
const TAKEN = new Set(['sessionId'])

/** The templates offered as operations, in catalog order. */
export function templateOperations(catalog: Catalog): TemplateOperation[] {
  const names = nameResourceTemplates(catalog.resourceTemplates.map((t) => t.name))
  const out: TemplateOperation[] = []
  for (const template of catalog.resourceTemplates) {
    const variables = templateVariables(template.uriTemplate)
    if (!variables.length || !variables.every((v) => PLAIN_NAME.test(v.name) && !TAKEN.has(v.name))) continue
    out.push({ template, ...names.get(template.name)!, variables })
  }
  return out
}

/** The template offered as an operation under a slug (or its name). */
export function findResourceTemplate(catalog: Catalog, slug: string): CatalogResourceTemplate | undefined {
  const ops = templateOperations(catalog)
  return (ops.find((o) => o.slug === slug) ?? ops.find((o) => o.template.name === slug))?.template
}
