#!/usr/bin/env bash
# The server under load on a 2-core machine (a measurement, not a test): the server pinned to core 1 with one model
# thread, the load generator on core 0. Prints requests/s and latency at 1, 4, 16, 32 and 64 clients and writes a plot.
# Run after `mvn -B -DskipTests package`. Usage: tests/server-load/run.sh [port]
set -euo pipefail
cd "$(dirname "$0")/../.."
jar=target/bert-embed.jar
port=${1:-8089}
url="http://127.0.0.1:$port"
log=$(mktemp)
taskset -c 1 java -jar $jar serve --threads 1 --port "$port" > "$log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -f "$log"' EXIT
until grep -q "serving" "$log"; do
    kill -0 $pid 2>/dev/null || { cat "$log"; exit 1; }; sleep 0.5
done
taskset -c 0 java -jar $jar loadtest --url "$url" --clients 1,4,16,32,64 --warmup 2048 --plot target/server-load.png
kill -TERM $pid; wait $pid || true
tail -1 "$log"
