# syntax=docker/dockerfile:1
# One image, several roles: `census start` (default), `census api`, `census worker`, `census migrate`.

# Node 24, an LTS with support to 2028 (Node 20's ended in April 2026). package.json's engines
# still say >=20.11: the development machines run the same code on Node 20.
# Build: all dependencies, the bundle in dist/, then only what production needs.
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY scripts ./scripts
COPY src ./src
# the router client's package: dist/client (prompt-census/client) is built from it
COPY packages ./packages
# no optional extras either: TypeScript would come along as an optional peer of a dependency
RUN npm run build && npm prune --omit=dev --omit=optional --no-audit --no-fund

# Run: Node, tini and the built service; no TypeScript, no tsx, no dev dependencies.
FROM node:24-bookworm-slim
# tini is PID 1: it hands SIGTERM to node and reaps zombies
RUN apt-get update \
  && apt-get install -y --no-install-recommends tini \
  && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
COPY --chown=node:node package.json ./
COPY --chown=node:node bin ./bin
COPY --chown=node:node config ./config
COPY --chown=node:node migrations ./migrations
COPY --chown=node:node public ./public
USER node
EXPOSE 8080
# Every role serves /healthz on PORT (the worker too), so one check fits them all.
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT || 8080}/healthz`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["/usr/bin/tini", "--", "node", "bin/census.js"]
CMD ["start"]
