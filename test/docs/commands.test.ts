/**
 * Commands in the README and docs/ that cannot run offline (deploying, importing into Power Platform) are still
 * checked against what the project really has: every `npm run <script>` names a script of package.json, and every
 * flag given to the CLI (`npm start --`, `npm run cli --`, `mcp-rest-facade`, `node dist/cli.js`) is one its
 * `--help` lists. A renamed script or flag fails here instead of in a newcomer's terminal.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'

const ROOT = resolve(import.meta.dirname, '../..')
const pages = ['README.md', 'bench/README.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)]
const scripts = Object.keys((JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts)
// The help text is the CLI's own list of flags (src/cli.ts prints it for --help).
const help = readFileSync(join(ROOT, 'src/cli.ts'), 'utf8')
const cliFlags = new Set([...[...help.matchAll(/^\s+(--[a-z][a-z0-9-]*)/gm)].map((m) => m[1]!), '--help', '--version'])

/** Shell-ish lines of a page: fenced sh/bash blocks and inline code spans. */
function commandLines(text: string): string[] {
  const fenced = [...text.matchAll(/```(?:sh|bash|shell)\n([\s\S]*?)```/g)].flatMap((m) => m[1]!.split('\n'))
  const inline = [...text.matchAll(/`([^`\n]+)`/g)].map((m) => m[1]!)
  return [...fenced, ...inline].map((l) => l.replace(/\s+#.*$/, '').trim()).filter(Boolean)
}

describe('documented commands', () => {
  it('the CLI help lists flags to check against', () => {
    expect(cliFlags.has('--upstream')).toBe(true)
    expect(cliFlags.size).toBeGreaterThan(10)
  })

  it.each(pages)('%s: every npm run script exists and every CLI flag is a real one', (page) => {
    const problems: string[] = []
    for (const line of commandLines(readFileSync(join(ROOT, page), 'utf8'))) {
      for (const m of line.matchAll(/npm run ([a-z][\w:-]*)/g)) if (!scripts.includes(m[1]!)) problems.push(`npm run ${m[1]}: no such script (in "${line}")`)
      const cli = /(?:npm start --|npm run cli --|npm run start:prod --|^(?:npx (?:--no-install )?)?mcp-rest-facade(?= |$)|node dist\/cli\.js)(.*)$/.exec(line)
      if (!cli) continue
      // A quoted argument belongs to the child command (`--upstream-command "npx server --flag"`), not to the CLI.
      for (const m of cli[1]!.replace(/"[^"]*"|'[^']*'/g, '').matchAll(/(?:^|\s)(--[a-z][a-z0-9-]*)/g)) if (!cliFlags.has(m[1]!)) problems.push(`${m[1]}: not a CLI flag (in "${line}")`)
    }
    expect(problems).toEqual([])
  })
})
