#!/usr/bin/env bash
# Real clients against `bert-embed serve`, not part of `mvn verify` (they need Python and npm packages, not Maven
# ones): Python's OpenAI SDK and huggingface_hub (check.py, installed into target/py-clients), and JavaScript's
# OpenAI SDK, LangChain.js's OpenAIEmbeddings and @huggingface/inference (check.mjs, the versions package.json pins,
# installed into target/js-clients); every vector compared bit for bit with in-process ones.
# Run after `mvn -B -DskipTests package`. Usage: tests/server-clients/run.sh [all|python|js] [port]
# Offline, point pip at local wheels first, e.g. PIP_NO_INDEX=1 PIP_FIND_LINKS=/path/to/wheels.
set -euo pipefail
cd "$(dirname "$0")/../.."
which=${1:-all}
port=${2:-8095}
case $which in all|python|js) ;; *) echo "usage: $0 [all|python|js] [port]" >&2; exit 2 ;; esac
venv=target/py-clients
js=target/js-clients
if [ "$which" != js ]; then
    [ -x $venv/bin/python ] || { python3 -m venv $venv && $venv/bin/pip install -q openai huggingface_hub numpy; }
fi
if [ "$which" != python ]; then
    mkdir -p $js
    # package.json is copied before the install and removed if it fails, so the next run installs again
    cmp -s tests/server-clients/package.json $js/package.json || {
        cp tests/server-clients/package.json $js/ \
            && npm install --prefix $js --no-audit --no-fund --loglevel=error || { rm -f $js/package.json; exit 1; }; }
fi
java -jar target/bert-embed.jar serve --port "$port" --api-key k > target/serve-clients.log 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
until grep -q "serving" target/serve-clients.log; do
    kill -0 $pid 2>/dev/null || { cat target/serve-clients.log; exit 1; }; sleep 0.5
done
status=0
if [ "$which" != js ]; then
    $venv/bin/python tests/server-clients/check.py "http://127.0.0.1:$port" || status=1
fi
if [ "$which" != python ]; then
    JS_CLIENTS=$PWD/$js node tests/server-clients/check.mjs "http://127.0.0.1:$port" || status=1
fi
exit $status
