# syntax=docker/dockerfile:1
# One image recipe for every Lifeline app, plus the one-shot tooling image (migrations, broker topology)
# and the development capture server.
#   docker build -f docker/app.Dockerfile --build-arg APP=tasks -t lifeline/tasks .     (target: app)
#   docker build -f docker/app.Dockerfile --target migrate -t lifeline/migrate .
#   docker build -f docker/app.Dockerfile --target capture -t lifeline/capture .
# Apps run from TypeScript through tsx exactly as `dapr run -f dapr.yaml` runs them locally, so what is
# tested is what ships; there is no separate compile step to drift from.
ARG NODE_IMAGE=node:20-slim

# Only the package manifests, at their workspace paths: `npm ci` below is re-run when a manifest or the
# lockfile changes, not on every source edit.
FROM ${NODE_IMAGE} AS manifests
WORKDIR /src
COPY . .
RUN mkdir /manifests \
 && find . -name package.json -not -path '*/node_modules/*' -exec cp --parents {} /manifests/ \; \
 && cp package-lock.json /manifests/

FROM ${NODE_IMAGE} AS deps
WORKDIR /srv
COPY --from=manifests /manifests/ ./
# Dev dependencies stay: tsx runs the apps and the Prisma CLI generates their clients.
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund --loglevel=error

FROM deps AS build
COPY . .
# `prisma generate` needs no schema engine; any existing file satisfies the CLI's check (see DESIGN.md).
ENV PRISMA_SCHEMA_ENGINE_BINARY=/bin/true
RUN for config in prisma/*/prisma.config.ts; do \
      app=$(basename "$(dirname "$config")"); \
      case $app in _*) continue ;; esac; \
      npx prisma generate --config "$config" >/dev/null || exit 1; \
      echo "generated the Prisma client of $app"; \
    done

# Everything the apps and tools need, owned by root and read-only to the user that runs them.
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    NPM_CONFIG_UPDATE_NOTIFIER=false
WORKDIR /srv
COPY --from=build /srv /srv
# node (uid 1000) comes with the base image; tsx keeps its cache in the OS temp dir, the only place
# it writes, so the root filesystem can be mounted read-only.
USER 1000:1000

# One-shot: roles, schemas and migrations of every app (needs DATABASE_ADMIN_URL and <APP>_DB_PASSWORD);
# the same as `npx tsx packages/platform/src/cli/migrate.ts` without npx, which wants a writable ~/.npm.
# The same image declares the RabbitMQ topology with
#   command: ["node", "--import", "tsx", "docker/rabbitmq-provision.ts"]
FROM runtime AS migrate
CMD ["node", "--import", "tsx", "packages/platform/src/cli/migrate.ts"]

# The development mail and push capture server (tools/capture): SMTP on LIFELINE_SMTP_PORT, its HTTP API
# and the FCM-compatible push endpoint on LIFELINE_CAPTURE_PORT. docker-compose.yml runs it in place of a
# mail relay and FCM; the chart never does. Other containers reach it, so it listens on every interface.
FROM runtime AS capture
ENV LIFELINE_CAPTURE_HOST=0.0.0.0
CMD ["node", "--import", "tsx", "tools/capture/src/main.ts"]

# The default target: one app, chosen with --build-arg APP=<app id from dapr.yaml>.
FROM runtime AS app
ARG APP
RUN test -n "$APP" || { echo "build with --build-arg APP=<app id from dapr.yaml>" >&2; exit 1; }; \
    test -f "apps/$APP/src/main.ts" || { echo "apps/$APP/src/main.ts does not exist" >&2; exit 1; }
ENV APP_ID=${APP}
WORKDIR /srv/apps/${APP}
STOPSIGNAL SIGTERM
CMD ["node", "--import", "tsx", "src/main.ts"]
