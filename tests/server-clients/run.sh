#!/usr/bin/env bash
# Python clients against `bert-embed serve`, not part of `mvn verify` (it needs Python packages, not Maven ones):
# OpenAI's official SDK and huggingface_hub, installed into target/py-clients, vectors compared bit for bit with
# in-process ones. Run after `mvn -B -DskipTests package`. Offline, point pip at local wheels first, e.g.
# PIP_NO_INDEX=1 PIP_FIND_LINKS=/path/to/wheels tests/server-clients/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
port=${1:-8095}
venv=target/py-clients
[ -x $venv/bin/python ] || { python3 -m venv $venv && $venv/bin/pip install -q openai huggingface_hub numpy; }
java -jar target/bert-embed.jar serve --port "$port" --api-key k > target/serve-clients.log 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
until grep -q "serving" target/serve-clients.log; do sleep 0.5; done
$venv/bin/python tests/server-clients/check.py "http://127.0.0.1:$port"
