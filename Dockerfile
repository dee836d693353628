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
# V8's heap, the same wherever the image runs. Left to itself, V8 sizes it from the memory it
# sees: under a 512 MiB container limit, an old generation of at most 256 MB and semi-spaces of
# 1 MB; without a limit, on a large host, semi-spaces of up to 64 MB and an old generation let
# grow to about four times its live data between major collections. Bounded at 256 MB or less,
# the old generation may grow only 1.3x its live data. 16 MB semi-spaces scavenge less often
# than 1 MB ones under load. README, "Memory under the mix", has the measurements. Sized for the
# base deployment's 512 MiB limit; the production overlay raises the bound with its limit.
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
