# Two images from one multi-stage Dockerfile (no Docker engine runs where this was written: it has
# not been built here, so it is kept plain; the `swift build` command it runs was checked):
#
#   the reference task service (`squall serve`): the default, last stage `service`
#     docker build -t squall .                      # same as: docker build --target service -t squall .
#     docker run --rm -p 8000:8000 squall serve --host 0.0.0.0 --llm-url http://llm:8080 [--redis redis://redis:6379]
#
#   the `squall` command-line tool for batch work (sharded runs, sweeps, audits, loads and
#   `squall merge` on Kubernetes, see deploy/kubernetes/ and docs/scale-out.md): stage `cli`
#     docker build --target cli -t squall-cli:0.1.0 .
#     docker run --rm -v "$PWD:/work" -w /work squall-cli:0.1.0 run my-scenario.yaml --out /work/out
#
# Both run as the non-root user 10001:10001 (numeric, so Kubernetes' runAsNonRoot can check it).

# ---- build stage: the Swift toolchain plus the libcurl and hiredis headers ----
FROM swift:6.3-bookworm AS build
RUN export DEBIAN_FRONTEND=noninteractive \
 && apt-get -q update \
 && apt-get -q install -y --no-install-recommends libcurl4-openssl-dev libhiredis-dev pkg-config \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Resolve dependencies in their own layer so source edits do not refetch them
# (Package.resolved is optional: the wildcard may match nothing as long as Package.swift matches).
COPY Package.swift Package.resolved* ./
RUN swift package resolve
COPY Sources ./Sources
COPY Tests ./Tests
RUN swift build -c release --product squall --static-swift-stdlib \
 && mkdir -p /staging \
 && bin="$(swift build -c release --show-bin-path)" \
 && cp "$bin/squall" /staging/ \
 && find "$bin" -maxdepth 1 -name '*.resources' -exec cp -R {} /staging/ \;

# ---- runtime: only the shared libraries squall links against, a non-root user, the binary ----
# (curl is for the service's HEALTHCHECK; it adds little, since libcurl4 is needed anyway.)
FROM debian:bookworm-slim AS runtime
RUN export DEBIAN_FRONTEND=noninteractive \
 && apt-get -q update \
 && apt-get -q install -y --no-install-recommends libcurl4 libhiredis0.14 ca-certificates curl \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 squall \
 && useradd --system --uid 10001 --gid 10001 --home-dir /app --shell /usr/sbin/nologin squall
WORKDIR /app
COPY --from=build --chown=10001:10001 /staging/ /app/
USER 10001:10001
STOPSIGNAL SIGTERM
ENTRYPOINT ["/app/squall"]

# ---- cli: the `squall` tool for batch jobs (docker build --target cli) ----
# No port, no health check: each container runs one command (`run`, `sweep`, `audit`, `load`,
# `merge`, `mock`…) and its exit code is the result (0 held, 1 expectation failed, 2 bad input, 3
# could not run). SIGTERM (a Job's deadline, a node drain) makes a run stop and write what it measured.
FROM runtime AS cli
CMD ["--help"]

# ---- service: the reference task service (the default: the last stage) ----
FROM runtime AS service
EXPOSE 8000
# Kubernetes-style: /health answers 503 while draining after SIGTERM (see --drain-timeout).
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
  CMD curl -fsS http://127.0.0.1:8000/health || exit 1
CMD ["serve", "--host", "0.0.0.0", "--port", "8000", "--llm-url", "http://host.docker.internal:8080"]
