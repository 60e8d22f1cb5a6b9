#!/usr/bin/env bash
# Server capacity on a 2-core machine, measured (not a test): the server pinned to core 1 with one model thread,
# the load generator on core 0, and the same queries embedded in-process on core 1, in a JVM of its own, in turns
# with the served ones: this shared machine's speed drifts by 15% or more within seconds, so ratios are taken
# within a round and their median across rounds is reported.
# Run after `mvn -B -DskipTests package`. Usage: tests/server-load/run.sh [port]
set -euo pipefail
cd "$(dirname "$0")/../.."
jar=target/bert-embed.jar
port=${1:-8089}
url="http://127.0.0.1:$port"
taskset -c 1 java -jar $jar serve --threads 1 --auto-truncate --port "$port" > target/serve-load.log 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
until grep -q "serving" target/serve-load.log; do
    kill -0 $pid 2>/dev/null || { cat target/serve-load.log; exit 1; }; sleep 0.5
done
echo "== short queries: in-process one by one (core 1, own JVM) and served to 1 and 32 clients (core 0), in turns"
taskset -c 0 java -jar $jar loadtest --url "$url" --clients 1,32 --rounds 16 --queries 1024 --pin "taskset -c 1"
echo "== longer texts (512 fortunes whole, truncated at 256 tokens): in-process one by one and served to 32 clients"
taskset -c 0 java -jar $jar loadtest --url "$url" --clients 32 --rounds 6 --whole-texts --queries 512 --warmup 1024 \
    --pin "taskset -c 1"
echo "== one client against a server hosted in the in-process JVM on its own embedder (one JVM, one copy of"
echo "   the model), in turns with in-process one by one and with that embedder behind a bare loopback socket"
echo "   (out of process without HTTP or JSON: the served p50 over it is the HTTP and JSON cost)"
taskset -c 0 java -jar $jar loadtest --same-jvm --clients 1 --rounds 8 --queries 1024 --pin "taskset -c 1"
echo "== the server under 1, 4, 16, 32, 64 clients"
taskset -c 0 java -jar $jar loadtest --url "$url" --clients 1,4,16,32,64 --warmup 2048 --plot docs/server-load.png
kill -TERM $pid; wait $pid || true
tail -1 target/serve-load.log
