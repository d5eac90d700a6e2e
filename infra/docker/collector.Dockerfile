# The same Collector as the native one: built with the Collector Builder from
# otel/builder-config.yaml (see infra/setup.sh for the checksum exceptions).
FROM golang:1.24-bookworm AS build
WORKDIR /build
COPY otel/builder-config.yaml .
RUN version=$(sed -n 's/^  version: *//p' builder-config.yaml) \
    && go install "go.opentelemetry.io/collector/cmd/builder@v${version}" \
    && sed -i 's|^dist:|dist:\n  output_path: /build/out|' builder-config.yaml \
    && GONOSUMDB=github.com/open-telemetry/opentelemetry-collector-contrib/receiver/fluentforwardreceiver,github.com/open-telemetry/opentelemetry-collector-contrib/connector/sumconnector \
       builder --config builder-config.yaml

FROM debian:bookworm-slim
COPY --from=build /build/out/otelcol-obscost /usr/local/bin/otelcol-obscost
COPY otel/ /etc/otelcol/
ENTRYPOINT ["otelcol-obscost"]
CMD ["--config", "/etc/otelcol/collector.yaml"]
