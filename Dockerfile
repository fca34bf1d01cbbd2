# syntax=docker/dockerfile:1
# The production image: `docker build -t foundational-llm-chat .` (the CDK app in infra/ builds it for you).
#
# Two stages. `build` installs every dependency (native modules such as better-sqlite3 compile here, with the
# toolchain that never reaches the runtime image), compiles the server to dist/ and the web app to web/dist/
# (`npm run build`), then drops the dev dependencies. `runtime` is the current Node.js LTS on Debian slim with only
# what the server runs: production dependencies, dist/, web/dist/, config.json and the Amazon RDS CA bundle.
#
# TARGETPLATFORM is pinned by whoever builds (the CDK stack passes the same architecture as its Fargate tasks);
# npm ci then installs the matching sharp/libvips binaries.

ARG NODE_IMAGE=node:26-slim

FROM ${NODE_IMAGE} AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV npm_config_nodedir=/usr/local
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY web ./web
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund \
 && npm cache clean --force

FROM ${NODE_IMAGE} AS runtime
# The config.json the image runs with: the CDK stack passes the file it read (relative to the repo root), so the
# app and its IAM policy, prompts and sign-in are built from the same file. Without it: the bundled example.
ARG CONFIG_FILE=config.example.json
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080 \
    CONFIG_PATH=/app/config.json \
    DATA_DIR=/app/data \
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true
WORKDIR /app
# Amazon RDS's CA bundle (Debian's store does not hold it): PostgreSQL over TLS is verified against it when
# DATABASE_CA_FILE names it. Fetched here, at image build time, never at run time or in tests.
ADD --chmod=0444 https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem /etc/ssl/certs/rds-global-bundle.pem
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/web/dist ./web/dist
COPY config.example.json ./config.example.json
COPY ${CONFIG_FILE} ./config.json
# SQLite (a laptop or a single container without DATABASE_URL) keeps its file here; mount a volume to keep it.
RUN mkdir -p /app/data && chown node:node /app/data
# The image's own user (uid 1000), never root.
USER node
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8080) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Exec form: node is PID 1 and receives SIGTERM itself (the server finishes running answers, then exits).
CMD ["node", "dist/server/main.js"]
