#!/usr/bin/env python3
"""The 100,000-text collection of docs/benchmarks.md's HNSW figures, from the English fortunes we ship.

Every fortune whole, then every distinct line of 20 characters or more, then pairs and triples of consecutive
lines, then the last line of one fortune with the first of the next, until 100,000 distinct texts: real English with the structure of real embeddings (random vectors would flatter or
punish HNSW). Writes JSONL ({"id": n, "text": ...}) to stdout.

    python3 tests/search/bench_corpus.py > /tmp/fortunes-100k.jsonl
"""
import gzip
import json
import os
import sys

N = 100_000
here = os.path.dirname(os.path.abspath(__file__))
with gzip.open(os.path.join(here, "..", "corpora", "fortunes-en.jsonl.gz"), "rt", encoding="utf-8") as f:
    fortunes = [json.loads(line)["text"] for line in f if line.strip()]

seen = set()
texts = []


def add(t):
    t = t.strip()
    if t and t not in seen and len(texts) < N:
        seen.add(t)
        texts.append(t)


for t in fortunes:
    add(t)
lines = [[l.strip() for l in t.split("\n") if len(l.strip()) >= 20] for t in fortunes]
for ls in lines:
    for l in ls:
        add(l)
for ls in lines:
    for a, b in zip(ls, ls[1:]):
        add(a + " " + b)
for ls in lines:
    for a, b, c in zip(ls, ls[1:], ls[2:]):
        add(a + " " + b + " " + c)
for ls, next_ls in zip(lines, lines[1:]):
    if ls and next_ls:
        add(ls[-1] + " " + next_ls[0])
if len(texts) < N:
    sys.exit(f"only {len(texts)} distinct texts")
for i, t in enumerate(texts):
    print(json.dumps({"id": i, "text": t}, ensure_ascii=False))
