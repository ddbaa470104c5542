import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Fixture vendors listen on 127.0.0.1 port 0, so files can run in parallel safely.
    pool: 'forks',
  },
})
