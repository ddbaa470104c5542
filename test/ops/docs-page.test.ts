/**
 * The docs page works offline: /docs and every asset it references are served by the facade itself (nothing from
 * another host), at the root and under /{server}/. Then headless Chromium renders it with every non-local request
 * blocked: Swagger UI must show the vendor's operations.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { singleAndSeveral } from '../support/single-and-several.js'

const CHROMIUM = '/usr/bin/chromium'

/** Every src/href on the page. */
function references(html: string): string[] {
  return [...html.matchAll(/\b(?:src|href)="([^"]+)"/g)].map((m) => m[1]!)
}

describe('/docs offline', () => {
  const f = singleAndSeveral()

  for (const [label, base] of [
    ['at the root', ''],
    ['under /{server}/', '/crm'],
  ] as const) {
    it(`serves the page and every asset it references from the facade itself (${label})`, async () => {
      const facade = base ? f.several : f.single
      const page = await facade.call(`${base}/docs`)
      expect(page.status).toBe(200)
      expect(page.headers.get('content-type')).toMatch(/^text\/html/)
      expect(page.headers.get('content-security-policy')).toContain("script-src 'self'")
      const html = await page.text()
      const refs = references(html)
      expect(refs.length).toBeGreaterThanOrEqual(3)
      expect(html).not.toMatch(/https?:\/\//)
      const pageUrl = new URL(`${facade.url}${base}/docs`)
      for (const ref of refs) {
        const url = new URL(ref, pageUrl)
        expect(url.origin, ref).toBe(pageUrl.origin)
        const res = await fetch(url)
        expect(res.status, url.pathname).toBe(200)
        expect((await res.arrayBuffer()).byteLength, url.pathname).toBeGreaterThan(0)
      }
      // The bundle defines the global the page needs, and the initializer points at this server's own document.
      const bundle = await (await fetch(new URL('docs/assets/swagger-ui-bundle.js', pageUrl))).text()
      expect(bundle).toContain('SwaggerUIBundle')
      const init = await (await fetch(new URL('docs/assets/init.js', pageUrl))).text()
      expect(init).toContain("new URL(root.getAttribute('data-openapi'), document.baseURI)")
      expect(html).toContain('data-openapi="openapi.json"')
      expect((await fetch(new URL('openapi.json', pageUrl))).status).toBe(200)
    })
  }

  it('serves nothing else from the package', async () => {
    for (const name of ['index.html', 'package.json', '..%2Fpackage.json', 'swagger-ui.js.map'])
      expect((await f.single.call(`/docs/assets/${name}`)).status, name).toBe(404)
  })

  const chromium = existsSync(CHROMIUM)
  if (!chromium) console.warn(`NOTICE: ${CHROMIUM} not installed (apt-get install -y chromium): the browser check of /docs is skipped`)
  it.runIf(chromium)('renders in headless Chromium with every other host blocked', { timeout: 60_000 }, async () => {
    const { chromium: browserType } = await import('playwright-core')
    const profile = mkdtempSync(join(tmpdir(), 'facade-chromium-'))
    // A fresh profile directory per run (Playwright passes it as --user-data-dir).
    const browser = await browserType.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
    })
    try {
      const page = await browser.newPage()
      const foreign: string[] = []
      const origin = new URL(f.several.url).origin
      await page.route('**/*', (route) => {
        const url = route.request().url()
        if (url.startsWith(origin) || url.startsWith('data:')) return route.continue()
        foreign.push(url)
        return route.abort()
      })
      const errors: string[] = []
      page.on('pageerror', (e) => errors.push(e.message))
      await page.goto(`${f.several.url}/crm/docs`)
      await page.waitForSelector('.opblock-summary-path', { timeout: 30_000 })
      const paths = await page.$$eval('.opblock-summary-path', (els) => els.map((e) => e.textContent ?? ''))
      expect(paths.some((p) => p.includes('/tools/echo'))).toBe(true)
      expect(await page.textContent('.info .title')).toContain('REST')
      // A tool call's parameters: the session ones, not the connector's internal X-Facade-Client (it stays in the document).
      await page.locator('.opblock-summary-path', { hasText: /\/tools\/echo$/ }).first().click()
      await page.waitForSelector('.parameters .parameter__name', { timeout: 10_000 })
      const names = await page.$$eval('.parameters .parameter__name', (els) => els.map((e) => e.textContent ?? ''))
      expect(names.some((n) => n.includes('X-Session-Id'))).toBe(true)
      expect(names.filter((n) => /x-facade-client/i.test(n))).toEqual([])
      expect(await (await fetch(`${f.several.url}/crm/openapi.json`)).text()).toContain('X-Facade-Client')
      expect(errors).toEqual([])
      expect(foreign).toEqual([])
    } finally {
      await browser.close()
      rmSync(profile, { recursive: true, force: true })
    }
  })
})
