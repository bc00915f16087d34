# Squall's reference task service (`squall serve`) as a container image.
# Build:  docker build -t squall .
# Run:    docker run --rm -p 8000:8000 squall serve --host 0.0.0.0 --llm-url http://llm:8080 [--redis redis://redis:6379]
# The image's entrypoint is the `squall` tool, so `docker run squall mock ...` etc. work too.
# (Written without a Docker engine at hand: keep it plain; see docs/service.md.)

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

# ---- runtime stage: only the shared libraries squall links against ----
FROM debian:bookworm-slim
RUN export DEBIAN_FRONTEND=noninteractive \
 && apt-get -q update \
 && apt-get -q install -y --no-install-recommends libcurl4 libhiredis0.14 ca-certificates curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin squall
WORKDIR /app
COPY --from=build --chown=squall:squall /staging/ /app/
USER squall
EXPOSE 8000
# Kubernetes-style: /health answers 503 while draining after SIGTERM (see --drain-timeout).
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
  CMD curl -fsS http://127.0.0.1:8000/health || exit 1
STOPSIGNAL SIGTERM
ENTRYPOINT ["/app/squall"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8000", "--llm-url", "http://host.docker.internal:8080"]
