# syntax=docker/dockerfile:1

# Task Manager API image. Node 24 runs the TypeScript sources directly (type stripping), so there
# is no build stage: one stage installs production dependencies, the other runs them.
# The same image serves both roles: APP_ROLE=api (default in docker-compose.yml) or APP_ROLE=worker.

# ---- deps: production dependencies only ---------------------------------------------------------
FROM node:24.21.0-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# The same Node version as .nvmrc and the `node` devDependency, and the same `npm install` as
# .ci/run, plus the two flags below (tests/contract/docker-image.test.ts compares them).
# `npm install`, not `npm ci`: the lockfile lacks @node-rs/bcrypt 2's binaries for platforms other
# than linux-x64-gnu (deploy/README.md), which `npm install` resolves and `npm ci` rejects; it
# still installs the locked versions of everything else.
# --omit=dev keeps out the compiler, the test tools and the `node` devDependency (a second Node
# binary; the image's own Node 24 is the runtime).
# --ignore-scripts: no production dependency needs an install script (@node-rs/bcrypt ships
# prebuilt binaries as optional dependencies).
RUN npm install --omit=dev --no-audit --no-fund --ignore-scripts

# ---- runtime ------------------------------------------------------------------------------------
FROM node:24.21.0-bookworm-slim AS runtime
ENV NODE_ENV=production
# V8's heap, sized for a container of 512 MiB (deploy/kubernetes/base). Left to itself, V8 sizes
# the heap from the host's memory: a young generation of up to 128 MB, and an old generation let
# grow to about four times the live data between major collections (the growth factor V8 allows a
# large heap). A bounded old generation (V8 allows growth of 1.3× its live data when the bound is
# at most 256 MB) and 16 MB semi-spaces kept the API process under ~260 MB instead of ~450 MB at
# 750 req/s of the load mix (README, "Memory under the mix"). Raise the bound with the container's
# memory limit, keeping ~200 MB of the limit for everything outside the old generation.
ENV NODE_OPTIONS="--max-semi-space-size=16 --max-old-space-size=256"
WORKDIR /app

# Code and dependencies stay owned by root, read-only for the runtime user.
COPY --from=deps /app/node_modules ./node_modules
# package.json supplies the reported version; mikro-orm.config.ts serves the MikroORM tooling.
COPY package.json mikro-orm.config.ts ./
COPY src ./src
COPY migrations ./migrations

# The only writable place: STORAGE_DIR defaults to ./var/attachments. Mount a volume here to keep
# attachments across container restarts (docker-compose.yml does).
RUN mkdir -p /app/var/attachments && chown -R node:node /app/var

# The official image's unprivileged user (uid 1000).
USER node

EXPOSE 3000

# No curl in the slim image: Node's fetch does the liveness probe. /health touches no dependency.
# A worker (APP_ROLE=worker) has no HTTP listener: disable this check for it (docker-compose.yml does).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/health', { signal: AbortSignal.timeout(4000) }).then((res) => process.exit(res.ok ? 0 : 1), () => process.exit(1))"]

# Node is PID 1 and handles SIGTERM itself (drains, then exits); it starts no child processes.
CMD ["node", "src/main.ts"]
