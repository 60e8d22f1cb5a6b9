// JavaScript clients against a running `bert-embed serve --api-key k`: OpenAI's official Node SDK (which asks for
// base64 by default and decodes it itself), LangChain.js's OpenAIEmbeddings on top of it, and HuggingFace's
// @huggingface/inference (featureExtraction against an endpoint URL, as for a TEI deployment). Every vector is
// compared bit for bit (as float32) with the in-process one (`bert-embed embed`, a JVM of its own).
// Usage: node check.mjs URL   (run by run.sh, with the packages installed in target/js-clients)
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(process.env.JS_CLIENTS + "/package.json");
const { default: OpenAI, APIError, AuthenticationError, UnprocessableEntityError, BadRequestError } =
    await import(require.resolve("openai"));
const { OpenAIEmbeddings } = await import(require.resolve("@langchain/openai"));
const { InferenceClient, InferenceClientProviderApiError } = await import(require.resolve("@huggingface/inference"));
const version = (p) => JSON.parse(readFileSync(`${process.env.JS_CLIENTS}/node_modules/${p}/package.json`)).version;

const url = process.argv[2];
const failures = [];
function check(what, ok, detail) {
    console.log((ok ? "ok   " : "FAIL ") + what + (detail !== undefined && !ok ? " " + JSON.stringify(detail) : ""));
    if (!ok) failures.push(what);
}

const texts = ["a fox", "héllo wörld 😀", "日本語のテキストです", "The quick brown fox jumps over the lazy dog."];
const lines = execFileSync("java", ["-jar", "target/bert-embed.jar", "embed", "--model", "all-minilm-l6-v2", ...texts],
    { encoding: "utf8" }).split("\n").filter((l) => l.trim());
const ref = lines.map((l) => Float32Array.from(JSON.parse(l).embedding));
const refTokens = lines.map((l) => JSON.parse(l).tokens);
// Bit for bit as float32: a JSON number is read as a double and rounded to the float it was written from.
const same = (got, i) => got.length === ref[i].length && Float32Array.from(got).every((v, k) => Object.is(v, ref[i][k]));

console.log("openai", version("openai"), "@langchain/openai", version("@langchain/openai"),
    "@huggingface/inference", version("@huggingface/inference"), "node", process.version);
const c = new OpenAI({ baseURL: url + "/v1", apiKey: "k", maxRetries: 0 });
let r = await c.embeddings.create({ input: texts, model: "all-minilm-l6-v2" }); // base64 on the wire, decoded
check("openai default (base64, decoded by the SDK) = in-process", r.data.every((d, i) => same(d.embedding, i)));
check("openai usage = tokens in-process", r.usage.prompt_tokens === refTokens.reduce((a, b) => a + b, 0),
    [r.usage, refTokens]);
check("openai response model", r.model === "all-minilm-l6-v2", r.model);
r = await c.embeddings.create({ input: texts, model: "all-minilm-l6-v2", encoding_format: "float" });
check("openai float = in-process", r.data.every((d, i) => same(d.embedding, i)));
check("openai indices in order", r.data.map((d) => d.index).join() === "0,1,2,3");
r = await c.embeddings.create({ input: "a fox", model: "all-minilm-l6-v2", encoding_format: "base64" });
check("openai explicit base64: a string of 384 little-endian floats", typeof r.data[0].embedding === "string"
    && same(new Float32Array(Uint8Array.from(Buffer.from(r.data[0].embedding, "base64")).buffer), 0));
r = await c.embeddings.create({ input: "a fox", model: "all-minilm-l6-v2", dimensions: 128 });
const head = ref[0].slice(0, 128);
const norm = Math.sqrt(head.reduce((a, v) => a + v * v, 0));
const diff = Math.max(...Array.from(r.data[0].embedding, (v, k) => Math.abs(v - head[k] / norm)));
check("openai dimensions=128: the first 128 values re-normalized", r.data[0].embedding.length === 128 && diff < 1e-6,
    diff);
r = await c.embeddings.create({ input: [[101, 1037, 4419, 102]], model: "all-minilm-l6-v2" }); // [CLS] a fox [SEP]
check("openai token ids = the text's vector", same(r.data[0].embedding, 0));
const raw = await c.embeddings.create({ input: "a fox", model: "all-minilm-l6-v2" }).asResponse();
check("TEI's x-compute headers through the SDK", raw.headers.get("x-compute-tokens") === "4"
    && raw.headers.get("x-compute-characters") === "5", Object.fromEntries(raw.headers));
for (const [name, body, status, type] of [["empty", { input: [] }, 400, BadRequestError],
    ["too long", { input: "word ".repeat(400) }, 413, APIError],
    ["wrong type", { input: [{ a: 1 }] }, 422, UnprocessableEntityError]]) {
    try {
        await c.embeddings.create({ model: "all-minilm-l6-v2", ...body });
        check("openai " + name + " refused", false);
    } catch (e) {
        const fields = e.error && ["message", "type", "param", "code"].every((f) => f in e.error);
        check("openai " + name + " refused", e instanceof type && e.status === status && fields, [e.status, e.error]);
    }
}
try {
    await new OpenAI({ baseURL: url + "/v1", apiKey: "wrong", maxRetries: 0 }).embeddings.create({ input: "a", model: "all-minilm-l6-v2" });
    check("openai wrong key refused", false);
} catch (e) {
    check("openai wrong key refused", e instanceof AuthenticationError && e.status === 401, e.status);
}
const models = [];
for await (const m of c.models.list()) models.push(m.id);
check("openai models.list", models.join() === "all-minilm-l6-v2", models);

const lc = new OpenAIEmbeddings({ model: "all-minilm-l6-v2", apiKey: "k", configuration: { baseURL: url + "/v1" },
    maxRetries: 0 });
const docs = await lc.embedDocuments(texts);
check("LangChain.js OpenAIEmbeddings.embedDocuments = in-process", docs.length === 4 && docs.every((v, i) => same(v, i)));
check("LangChain.js OpenAIEmbeddings.embedQuery = in-process", same(await lc.embedQuery("a fox"), 0));

const hf = new InferenceClient("k");
let v = await hf.featureExtraction({ endpointUrl: url, inputs: "a fox" }); // POST to the URL itself, TEI's POST /
check("@huggingface/inference featureExtraction = in-process", v.length === 1 && same(v[0], 0), v.length);
v = await hf.featureExtraction({ endpointUrl: url, inputs: texts, normalize: true, truncate: true,
    truncation_direction: "right" });
check("@huggingface/inference a list, normalize/truncate", v.length === 4 && v.every((x, i) => same(x, i)));
v = await hf.endpoint(url).featureExtraction({ inputs: "héllo wörld 😀" });
check("@huggingface/inference endpoint(url)", same(v[0], 1));
try {
    await hf.featureExtraction({ endpointUrl: url, inputs: "word ".repeat(400), truncate: false });
    check("@huggingface/inference too long refused", false);
} catch (e) {
    // 4.x throws InferenceClientProviderApiError with the HTTP response; 3.x an Error carrying only TEI's "error".
    const body = JSON.stringify(e.httpResponse?.body ?? e.message);
    check("@huggingface/inference too long refused", (e.httpResponse ? e.httpResponse.status === 413
        && e instanceof InferenceClientProviderApiError : InferenceClientProviderApiError === undefined)
        && body.includes("Given: 402"), [e.httpResponse?.status, body]);
}
try {
    await new InferenceClient("wrong").featureExtraction({ endpointUrl: url, inputs: "a fox" });
    check("@huggingface/inference wrong key refused", false);
} catch (e) {
    check("@huggingface/inference wrong key refused", e.httpResponse ? e.httpResponse.status === 401
        : e.message.includes("API key is required"), e.message);
}
if (failures.length) {
    console.log(failures.length, "failed:", failures);
    process.exit(1);
}
console.log("all checks passed");
