# The project's Node.js services (app, bench, observer, aggregator) in one image: the whole
# workspace, built. Each Compose service picks its command. The observer's CO-RE object
# is compiled here against the build host's BTF; CO-RE relocates it for the kernel it
# runs on.
FROM node:20-bookworm
RUN apt-get update && apt-get install -y --no-install-recommends gcc make binutils \
       clang llvm libbpf-dev bpftool \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /repo
COPY package.json package-lock.json ./
COPY services/app/package.json services/app/
COPY services/bench/package.json services/bench/
COPY lib/errors/package.json lib/errors/
COPY lib/events/package.json lib/events/
COPY lib/flags/package.json lib/flags/
COPY lib/process/package.json lib/process/
COPY lib/measure/package.json lib/measure/
COPY lib/metrics-server/package.json lib/metrics-server/
COPY lib/testing/package.json lib/testing/
COPY services/observer/package.json services/observer/
COPY services/aggregator/package.json services/aggregator/
COPY services/runner/package.json services/runner/
COPY services/report/package.json services/report/
COPY infra/package.json infra/
COPY test/package.json test/
COPY benchmarks/package.json benchmarks/
COPY fuzz/package.json fuzz/
RUN npm ci --no-audit --no-fund
# The rest of the repository, less what /.dockerignore keeps out (node_modules, builds).
COPY . .
RUN npm run build
ENV HOST=0.0.0.0
CMD ["node", "services/app/dist/src/main.js"]
