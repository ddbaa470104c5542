import { describe, expect, it } from 'vitest'

import { parsePublicUrl } from '../../src/swagger/document-info.js'
import {
  escapeNonAscii,
  humanize,
  stripProductNames,
  toConnectorDescription,
  toConnectorTitle,
  toLabel,
  toOperationSummary,
  toSentence,
} from '../../src/swagger/text-rules.js'

describe('text rules', () => {
  it.each([
    ['first_name', 'First Name'],
    ['userID', 'User ID'],
    ['HTTPServer', 'HTTP Server'],
    ['@odata.count', 'Odata Count'],
    ['size (cm)', 'Size (cm)'],
    ['café', 'Cafe'],
    ['日本', 'Value'],
  ])('toLabel(%j) is %j', (input, expected) => {
    expect(toLabel(input)).toBe(expected)
  })

  it.each([
    ['Get Weather Forecast', 'Get weather forecast'],
    ['Search CRM / contacts?', 'Search CRM contacts'],
    ['Create item (beta).', 'Create item (beta)'],
    ['Sync to Power Automate', 'Sync'],
    ['x'.repeat(100), 'X' + 'x'.repeat(79)],
    ['<>*%&?', 'Fallback name'],
  ])('toOperationSummary(%j) is %j', (input, expected) => {
    expect(toOperationSummary(input, 'Fallback name')).toBe(expected)
  })

  it('humanizes tool names', () => {
    expect(humanize('crm/contacts.search')).toBe('Crm contacts search')
    expect(humanize('getHTTPStatus')).toBe('Get HTTP status')
  })

  it('writes descriptions as ASCII sentences ending with a period', () => {
    expect(toSentence('returns items:', 'x')).toBe('Returns items.')
    expect(toSentence('Is it done?', 'x')).toBe('Is it done.')
    expect(toSentence('  ', 'Fallback')).toBe('Fallback.')
    expect(toSentence('a'.repeat(50) + '. ' + 'b'.repeat(2000), 'x', 100)).toBe('A' + 'a'.repeat(49) + '.')
  })

  it('strips product names with the words that introduced them', () => {
    expect(stripProductNames('Works with Power Apps and Logic Apps!')).toBe('Works!')
    expect(stripProductNames('Use it from Power Automate flows.')).toBe('Use it from flows.')
    expect(stripProductNames('PowerApps only')).toBe('only')
  })

  it('escapes non-ASCII without losing it', () => {
    expect(escapeNonAscii('ville/région 😀')).toBe('ville/r\\u00e9gion \\ud83d\\ude00')
  })

  it('sanitizes connector titles and descriptions', () => {
    expect(toConnectorTitle('Contoso API Connector')).toBe('Contoso')
    expect(toConnectorTitle('A very long connector title for the CRM system')).toBe('A very long title for the CRM')
    expect(toConnectorTitle('***')).toBe('MCP Tools')
    const description = toConnectorDescription('Our API.', 'Calls the tools of the vendor MCP server as typed actions.')
    expect(description).toBe('Our service. Calls the tools of the vendor MCP server as typed actions.')
  })

  it('splits the public URL into host and basePath', () => {
    expect(parsePublicUrl('https://facade.example.com/crm')).toEqual({ host: 'facade.example.com', basePath: '/crm', warnings: [] })
    expect(parsePublicUrl('https://facade.example.com:8443/a/b/')).toEqual({ host: 'facade.example.com:8443', basePath: '/a/b', warnings: [] })
    expect(parsePublicUrl('http://localhost:8080').warnings).toEqual(['publicUrl uses http; the connector always calls https'])
    expect(parsePublicUrl('https://[::1]:8443/x')).toMatchObject({ host: 'localhost', basePath: '/x' })
    expect(parsePublicUrl('not a url')).toMatchObject({ host: 'localhost', basePath: '/' })
  })
})
