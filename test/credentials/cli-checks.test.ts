/**
 * The CLI's credential checks at start: a private key the SDK's signer cannot use stops the process with exit 1
 * and a path-prefixed message that never prints the key.
 */
import { spawn } from 'node:child_process'
import { generateKeyPairSync } from 'node:crypto'
import { createRequire } from 'node:module'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { describe, expect, it } from 'vitest'
import { tempConfig } from './helpers.js'

const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href
const cli = fileURLToPath(new URL('../../src/cli.ts', import.meta.url))

function run(args: string[], env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, ['--import', tsx, cli, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  let stderr = ''
  child.stderr.on('data', (d) => (stderr += d))
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stderr })))
}

describe('cli credential checks', () => {
  it('refuses a PKCS#1 key and names the path, never the key or the secret', async () => {
    const pkcs1 = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString()
    const file = tempConfig({
      servers: { default: { url: 'http://127.0.0.1:9/mcp', oauth: { tokenUrl: 'http://127.0.0.1:9/token', clientId: 'svc', privateKey: '${VENDOR_KEY_PEM}' } } },
    })
    try {
      const { code, stderr } = await run(['--config', file.path], { VENDOR_KEY_PEM: pkcs1 })
      expect(code).toBe(1)
      expect(stderr).toContain('servers.default.oauth.privateKey: must be a PKCS#8 PEM')
      expect(stderr).not.toContain(pkcs1.split('\n')[1]!)
    } finally {
      file.cleanup()
    }
  })
})
