# Multi-stage image: build with dev dependencies, run with production dependencies only, as a non-root user.
# The build steps live in scripts/build-image-rootfs.sh, which CI also runs (no Docker engine needed there).
FROM node:24-slim AS build
WORKDIR /src
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY scripts ./scripts
COPY assets ./assets
RUN bash scripts/build-image-rootfs.sh /out

FROM node:24-slim
# FACADE_CODE_CACHE_DIR: the V8 code cache written at build time (scripts/write-code-cache.mjs), read-only here.
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080 \
    FACADE_CODE_CACHE_DIR=/app/code-cache
WORKDIR /app
# Files stay owned by root and read-only for the service user: the process cannot rewrite its own code.
COPY --from=build /out/app ./
USER node
EXPOSE 8080
# Liveness only: /healthz answers as soon as the process listens. Orchestrators should probe /readyz for readiness.
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "dist/cli.js"]
