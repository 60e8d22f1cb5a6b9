#!/usr/bin/env bash
# Server capacity on a 2-core machine, measured (not a test): the server pinned to core 1 with one model thread,
# the load generator pinned to core 0, and the same short queries embedded in-process on core 1 for comparison.
# Run after `mvn -B -DskipTests package`. Usage: tests/server-load/run.sh [port]
set -euo pipefail
cd "$(dirname "$0")/../.."
jar=target/bert-embed.jar
port=${1:-8089}
echo "== in-process, core 1, one thread (the server is not started yet)"
taskset -c 1 java -jar $jar loadtest --in-process --threads 1
taskset -c 1 java -jar $jar serve --threads 1 --auto-truncate --port "$port" > target/serve-load.log 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
until grep -q "serving" target/serve-load.log; do sleep 0.5; done
echo "== server on core 1 (--threads 1), clients on core 0"
taskset -c 0 java -jar $jar loadtest --url "http://127.0.0.1:$port" --clients 1,4,16,32,64 --plot target/loadtest.png
echo "== longer texts (fortunes whole, 512 of them): in-process one by one on core 1, then served to 32 clients"
taskset -c 1 java -jar $jar loadtest --in-process --threads 1 --whole-texts --queries 512 2>&1 | tail -1
taskset -c 0 java -jar $jar loadtest --url "http://127.0.0.1:$port" --clients 32 --requests 1024 --whole-texts --queries 512
kill -TERM $pid; wait $pid || true
tail -1 target/serve-load.log
