#!/usr/bin/env bash
# The package as a user gets it without a clone: `npm pack` (prepack type-checks and builds), the tarball installed
# in an empty folder, then `npx mcp-rest-facade --version` and a demo start from there (scripts/smoke-start.mjs).
# Prints the installed size. CI runs it (.ci/run).   Usage: scripts/pack-smoke.sh   (NPM_CI_FLAGS passed to npm)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
flags=(--no-audit --no-fund ${NPM_CI_FLAGS:-})
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
tarball="$(cd "$root" && npm pack --silent --pack-destination "$work" | tail -n 1)"
mkdir "$work/empty"
cd "$work/empty"
npm install "${flags[@]}" "$work/$tarball"
npx --no-install mcp-rest-facade --version
node "$root/scripts/smoke-start.mjs" . npx --no-install mcp-rest-facade --port 0
echo "tarball $tarball: $(du -sh "$work/$tarball" | cut -f1) packed, $(du -sh "$work/empty" | cut -f1) installed ($(ls node_modules | wc -l) top-level entries in node_modules)"
