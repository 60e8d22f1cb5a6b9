"""Python clients against a running `bert-embed serve --api-key k`: OpenAI's official SDK and huggingface_hub's
InferenceClient (what LangChain's and Haystack's TEI embedders use), each vector compared bit for bit with the
in-process one (`bert-embed embed`, a JVM of its own). Exits 1 on the first mismatch.
Usage: python check.py URL   (run by run.sh)"""
import json
import subprocess
import sys

import huggingface_hub
import numpy as np
import openai
from huggingface_hub import InferenceClient

url = sys.argv[1]
failures = []


def check(what, ok, detail=""):
    print(("ok   " if ok else "FAIL ") + what + (" " + str(detail) if detail else ""))
    if not ok:
        failures.append(what)


texts = ["a fox", "héllo wörld 😀", "日本語のテキストです", "The quick brown fox jumps over the lazy dog."]
lines = subprocess.run(["java", "-jar", "target/bert-embed.jar", "embed", "--model", "all-minilm-l6-v2", *texts],
                       capture_output=True, text=True, check=True).stdout.splitlines()
ref = [np.array(json.loads(line)["embedding"], dtype=np.float32) for line in lines if line.strip()]
ref_tokens = [json.loads(line)["tokens"] for line in lines if line.strip()]


def same(got, i):
    return bool(np.array_equal(np.asarray(got, dtype=np.float32), ref[i]))


print("openai", openai.__version__, "huggingface_hub", huggingface_hub.__version__)
c = openai.OpenAI(base_url=url + "/v1", api_key="k", max_retries=0)
r = c.embeddings.create(input=texts, model="all-minilm-l6-v2")  # the SDK asks for base64 and decodes it
check("openai default (base64) = in-process", all(same(d.embedding, i) for i, d in enumerate(r.data)))
check("openai usage = tokens in-process", r.usage.prompt_tokens == sum(ref_tokens), (r.usage, ref_tokens))
r = c.embeddings.create(input=texts, model="all-minilm-l6-v2", encoding_format="float")
check("openai float = in-process", all(same(d.embedding, i) for i, d in enumerate(r.data)))
check("openai indices in order", [d.index for d in r.data] == [0, 1, 2, 3])
r = c.embeddings.create(input="a fox", model="all-minilm-l6-v2", dimensions=128)
cut = ref[0][:128] / np.linalg.norm(ref[0][:128])
diff = float(np.max(np.abs(np.asarray(r.data[0].embedding) - cut)))
check("openai dimensions=128: the first 128 values re-normalized", len(r.data[0].embedding) == 128 and diff < 1e-6,
      diff)
r = c.embeddings.create(input=[[101, 1037, 4419, 102]], model="all-minilm-l6-v2")  # [CLS] a fox [SEP]
check("openai token ids = the text's vector", same(r.data[0].embedding, 0))
raw = c.embeddings.with_raw_response.create(input="a fox", model="all-minilm-l6-v2")
check("TEI's x-compute headers through the SDK", raw.headers.get("x-compute-tokens") == "4"
      and raw.headers.get("x-compute-characters") == "5", dict(raw.headers))
for name, kwargs, status, error in [("empty", dict(input=[]), 400, openai.BadRequestError),
                                    ("too long", dict(input="word " * 400), 413, openai.APIStatusError),
                                    ("wrong type", dict(input=[{"a": 1}]), 422, openai.UnprocessableEntityError)]:
    try:
        c.embeddings.create(model="all-minilm-l6-v2", **kwargs)
        check("openai " + name + " refused", False)
    except openai.APIStatusError as e:
        check("openai " + name + " refused", isinstance(e, error) and e.status_code == status
              and set(e.body) >= {"message", "type", "param", "code"}, (e.status_code, e.body))
try:
    openai.OpenAI(base_url=url + "/v1", api_key="wrong", max_retries=0).embeddings.create(input="a", model="all-minilm-l6-v2")
    check("openai wrong key refused", False)
except openai.AuthenticationError as e:
    check("openai wrong key refused", e.status_code == 401)
check("openai models.list", [m.id for m in c.models.list()] == ["all-minilm-l6-v2"])

h = InferenceClient(model=url, token="k")  # posts to the server's URL itself, TEI's POST /
v = h.feature_extraction("a fox")
check("huggingface_hub feature_extraction = in-process", v.shape == (1, 384) and same(v[0], 0), v.shape)
v = h.feature_extraction("héllo wörld 😀", normalize=True, truncate=True, truncation_direction="right")
check("huggingface_hub normalize/truncate", same(v[0], 1))
try:
    h.feature_extraction("word " * 400, truncate=False)
    check("huggingface_hub too long refused", False)
except huggingface_hub.errors.HfHubHTTPError as e:
    check("huggingface_hub too long refused", e.response.status_code == 413
          and "Given: 402" in e.response.json()["error"], e.response.text)
check("InferenceClient(base_url=...)", same(InferenceClient(base_url=url, token="k").feature_extraction("a fox")[0], 0))
if failures:
    print(len(failures), "failed:", failures)
    sys.exit(1)
print("all", "checks passed")
