#!/usr/bin/env bash
# Builds the container image's /app without Docker, so the exact steps the Dockerfile runs are also run by CI and
# tests on machines where no base image can be pulled:
#   1. a staging copy of the sources, `npm ci` (dev dependencies included) and `npm run build` (type check, then
#      the bundle in dist/: see scripts/build.mjs);
#   2. OUT/app with dist/, assets/ (the connector icon `export` writes), package.json, package-lock.json and
#      production dependencies only (`npm ci --omit=dev`; the bundle reads ioredis, OpenTelemetry and
#      swagger-ui-dist from there);
#   3. OUT/app/code-cache: V8's code cache of the bundles, written by one start of the result
#      (scripts/write-code-cache.mjs; the image points FACADE_CODE_CACHE_DIR at it), so that replicas start from it.
# Usage: scripts/build-image-rootfs.sh <out-dir>     (NPM_CI_FLAGS, e.g. --prefer-offline, is passed to npm ci)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="${1:?usage: build-image-rootfs.sh <out-dir>}"
flags=(--no-audit --no-fund ${NPM_CI_FLAGS:-})
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT

# Only what the build needs: never a local node_modules, dist or config with secrets.
cp -R "$root/package.json" "$root/package-lock.json" "$root/tsconfig.json" "$root/tsconfig.build.json" "$root/src" "$stage/"
mkdir -p "$stage/scripts" && cp "$root/scripts/build.mjs" "$root/scripts/build-inputs.mjs" "$stage/scripts/"
(cd "$stage" && npm ci "${flags[@]}" && npm run build)

rm -rf "$out/app"
mkdir -p "$out/app"
cp -R "$stage/dist" "$stage/package.json" "$stage/package-lock.json" "$root/assets" "$out/app/"
(cd "$out/app" && npm ci --omit=dev "${flags[@]}")
node "$root/scripts/write-code-cache.mjs" "$out/app" "$out/app/code-cache"
echo "image root built: $out/app ($(du -sh "$out/app" | cut -f1))"
