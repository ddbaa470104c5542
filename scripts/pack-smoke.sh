#!/usr/bin/env bash
# The package as a user gets it without a clone: `npm pack` (prepack type-checks and builds), the tarball installed
# in an empty folder, then `npx mcp-rest-facade --version` and a demo start from there (scripts/smoke-start.mjs).
# Prints the installed size and fails above PACK_MAX_INSTALLED_MB (default 35: the bundles hold most dependencies,
# so only what they load from node_modules is installed). CI runs it (.ci/run).
# Usage: scripts/pack-smoke.sh   (NPM_CI_FLAGS passed to npm)
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
installed_mb="$(du -sm "$work/empty" | cut -f1)"
packages="$(npm ls --all --parseable 2>/dev/null | tail -n +2 | wc -l)"
echo "tarball $tarball: $(du -sh "$work/$tarball" | cut -f1) packed, ${installed_mb} MB installed, $packages packages"
if [ "$installed_mb" -gt "${PACK_MAX_INSTALLED_MB:-35}" ]; then
  echo "the install is ${installed_mb} MB, above ${PACK_MAX_INSTALLED_MB:-35} MB: did a bundled package become a dependency again?" >&2
  exit 1
fi
