#!/usr/bin/env bash
# Real clients against `bert-embed serve`, not part of `mvn verify` (they need Python and npm packages, not Maven
# ones): Python's OpenAI SDK and huggingface_hub (check.py, installed into target/py-clients), and JavaScript's
# OpenAI SDK, LangChain.js's OpenAIEmbeddings and @huggingface/inference (check.mjs, the versions package.json pins,
# installed into target/js-clients), and Go's standard library (check.go: net/http, encoding/json and base64 as a Go
# service without an SDK uses them; needs the go command, e.g. Debian's golang-go); every vector compared bit for bit
# with in-process ones.
# Run after `mvn -B -DskipTests package`. Usage: tests/server-clients/run.sh [all|python|js|go] [port]
# Offline, point pip at local wheels first, e.g. PIP_NO_INDEX=1 PIP_FIND_LINKS=/path/to/wheels.
set -euo pipefail
cd "$(dirname "$0")/../.."
which=${1:-all}
port=${2:-8095}
case $which in all|python|js|go) ;; *) echo "usage: $0 [all|python|js|go] [port]" >&2; exit 2 ;; esac
wants() { [ "$which" = all ] || [ "$which" = "$1" ]; }
if wants go; then
    command -v go > /dev/null || { echo "$0: the go command is needed for check.go (e.g. apt-get install golang-go)" >&2
                                   exit 2; }
fi
venv=target/py-clients
js=target/js-clients
if wants python; then
    [ -x $venv/bin/python ] || { python3 -m venv $venv && $venv/bin/pip install -q openai huggingface_hub numpy; }
fi
if wants js; then
    mkdir -p $js
    # package.json is copied before the install and removed if it fails, so the next run installs again
    cmp -s tests/server-clients/package.json $js/package.json || {
        cp tests/server-clients/package.json $js/ \
            && npm install --prefix $js --no-audit --no-fund --loglevel=error || { rm -f $js/package.json; exit 1; }; }
fi
# --long-text refuse: the clients check the 413 an over-long input gets on each protocol (the default truncates, and
# TEI's "truncate": true is checked by the requests that send it).
java -jar target/bert-embed.jar serve --port "$port" --api-key k --long-text refuse > target/serve-clients.log 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
until grep -qs "serving" target/serve-clients.log; do
    kill -0 $pid 2>/dev/null || { cat target/serve-clients.log; exit 1; }; sleep 0.5
done
status=0
if wants python; then
    $venv/bin/python tests/server-clients/check.py "http://127.0.0.1:$port" || status=1
fi
if wants js; then
    JS_CLIENTS=$PWD/$js node tests/server-clients/check.mjs "http://127.0.0.1:$port" || status=1
fi
if wants go; then
    # the standard library only: nothing to download, the build cache under target/
    GOCACHE=$PWD/target/go-cache GOPROXY=off GOFLAGS= go run tests/server-clients/check.go "http://127.0.0.1:$port" \
        || status=1
fi
exit $status
