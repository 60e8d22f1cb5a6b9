package io.github.bertembed.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.bertembed.SentenceEmbedder;
import io.github.bertembed.TestData;
import io.github.bertembed.TinyBertModel;
import io.github.bertembed.search.Hit;
import io.github.bertembed.search.SearchOptions;
import io.github.bertembed.search.VectorIndex;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code index} and {@code search} on the command line, against the library's own vectors and searches. */
class IndexCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    static Path tmp;
    static Path model;
    static List<String> texts;

    @BeforeAll
    static void setUp() throws Exception {
        model = TinyBertModel.write(tmp.resolve("tiny"));
        texts = TestData.english().subList(0, 40);
    }

    private static Path docs(String name, int from, int to, boolean ids) throws Exception {
        List<String> lines = new ArrayList<>();
        for (int i = from; i < to; i++) {
            var node = JSON.createObjectNode();
            if (ids) {
                node.put("id", "doc-" + i);
            }
            node.put("text", texts.get(i));
            lines.add(node.toString());
        }
        Path file = tmp.resolve(name);
        Files.write(file, lines);
        return file;
    }

    private static CliTestSupport.Result run(String... args) {
        return CliTestSupport.run(args);
    }

    @Test
    void searchPrintsTheLibrarysHitsAsJsonl() throws Exception {
        Path all = docs("all.jsonl", 0, 40, true);
        Path idx = tmp.resolve("idx-search");
        CliTestSupport.Result r = run("index", "--model", model.toString(), "--input", all.toString(), "--output",
                idx.toString(), "--no-progress");
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.err().contains("40 rows, float32, 16 dimensions"), r.err());
        r = run("search", "--index", idx.toString(), "-k", "3", texts.get(5), "a fox");
        assertEquals(0, r.exitCode(), r.err());
        String[] lines = r.out().strip().split("\n");
        assertEquals(6, lines.length);
        try (SentenceEmbedder e = SentenceEmbedder.builder().model(model.toString()).build();
             VectorIndex index = VectorIndex.open(idx)) {
            List<Hit> expected = index.search(e.embed(texts.get(5)), SearchOptions.top(3));
            for (int i = 0; i < 3; i++) {
                JsonNode n = JSON.readTree(lines[i]);
                assertEquals(texts.get(5), n.get("query").asText());
                assertEquals(i + 1, n.get("rank").asInt());
                assertEquals(expected.get(i).id(), n.get("id").asText());
                assertEquals(expected.get(i).text(), n.get("text").asText());
                assertEquals(expected.get(i).score(), n.get("score").asDouble(), 0);
            }
            assertEquals("doc-5", JSON.readTree(lines[0]).get("id").asText()); // a text finds itself first
        }
    }

    @Test
    void resumeAppendAndImportedVectorsGiveTheFreshIndex() throws Exception {
        Path all = docs("all2.jsonl", 0, 40, false);
        Path fresh = tmp.resolve("fresh");
        assertEquals(0, run("index", "--model", model.toString(), "--input", all.toString(), "--output",
                fresh.toString(), "--precision", "int8").exitCode());
        // a run that stopped after 15 documents, resumed on the whole input
        Path resumed = tmp.resolve("resumed");
        assertEquals(0, run("index", "--model", model.toString(), "--input", docs("first.jsonl", 0, 15, false)
                .toString(), "--output", resumed.toString(), "--precision", "int8").exitCode());
        CliTestSupport.Result r = run("index", "--model", model.toString(), "--input", all.toString(), "--output",
                resumed.toString(), "--resume");
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.err().contains("resuming after 15 documents"), r.err());
        // appended: the first 15, then the other 25 (their records numbered by their own file's lines)
        Path appended = tmp.resolve("appended");
        assertEquals(0, run("index", "--model", model.toString(), "--input", docs("a.jsonl", 0, 15, true).toString(),
                "--output", appended.toString(), "--precision", "int8").exitCode());
        assertEquals(0, run("index", "--model", model.toString(), "--input", docs("b.jsonl", 15, 40, true).toString(),
                "--output", appended.toString(), "--append").exitCode());
        // vectors written by 'embed', with their records
        Path npy = tmp.resolve("v.npy");
        assertEquals(0, run("embed", "--model", model.toString(), "--input", all.toString(), "--output",
                npy.toString()).exitCode());
        Path imported = tmp.resolve("imported");
        r = run("index", "--model", model.toString(), "--vectors", npy.toString(), "--input", all.toString(),
                "--output", imported.toString(), "--precision", "int8");
        assertEquals(0, r.exitCode(), r.err());
        for (Path p : List.of(resumed, appended, imported)) {
            assertEquals(-1, Files.mismatch(fresh.resolve("vectors.f32"), p.resolve("vectors.f32")), p.toString());
            assertEquals(-1, Files.mismatch(fresh.resolve("codes.int8"), p.resolve("codes.int8")), p.toString());
        }
        assertEquals(-1, Files.mismatch(fresh.resolve("records.jsonl"), resumed.resolve("records.jsonl")));
        assertEquals(-1, Files.mismatch(fresh.resolve("records.jsonl"), imported.resolve("records.jsonl")));
        assertEquals(run("search", "--index", fresh.toString(), "a fox").out(),
                run("search", "--index", resumed.toString(), "a fox").out());
    }

    /**
     * A known model's query prompt, as MTEB runs bge-small-zh-v1.5 (its model_prompts_zh: the retrieval instruction
     * before queries, nothing before passages), is recorded in the manifest and put before every query.
     */
    @Test
    void theModelsQueryInstructionIsRecordedAndApplied() throws Exception {
        List<String> chinese = TestData.chinese().subList(0, 30);
        List<String> lines = new ArrayList<>();
        for (String t : chinese) {
            lines.add(JSON.createObjectNode().put("text", t).toString());
        }
        Path docs = tmp.resolve("zh.jsonl");
        Files.write(docs, lines);
        Path idx = tmp.resolve("idx-zh");
        CliTestSupport.Result r = run("index", "--models-dir", TestData.modelsDir().toString(), "--model",
                "bge-small-zh-v1.5", "--input", docs.toString(), "--output", idx.toString());
        assertEquals(0, r.exitCode(), r.err());
        String instruction = "为这个句子生成表示以用于检索相关文章：";
        try (VectorIndex index = VectorIndex.open(idx);
             SentenceEmbedder e = SentenceEmbedder.builder().model("bge-small-zh-v1.5")
                     .modelsDir(TestData.modelsDir()).build()) {
            assertEquals(instruction, index.manifest().queryPrompt());
            assertEquals("", index.manifest().documentPrompt());
            // the documents as they are: a row is the text's own vector
            assertArrayEquals(e.embed(chinese.get(4)), index.vector(4));
            r = run("search", "--models-dir", TestData.modelsDir().toString(), "--index", idx.toString(), "-k", "3",
                    "人生的意义");
            assertEquals(0, r.exitCode(), r.err());
            List<Hit> expected = index.search(e.embed(instruction + "人生的意义"), SearchOptions.top(3));
            String[] out = r.out().strip().split("\n");
            for (int i = 0; i < 3; i++) {
                assertEquals(expected.get(i).score(), JSON.readTree(out[i]).get("score").asDouble(), 0);
            }
        }
    }

    @Test
    void badRequestsGetOneLineErrors() throws Exception {
        Path all = docs("all3.jsonl", 0, 10, true);
        Path idx = tmp.resolve("idx-bad");
        assertEquals(0, run("index", "--model", model.toString(), "--input", all.toString(), "--output",
                idx.toString(), "--precision", "binary", "--hnsw").exitCode());
        CliTestSupport.Result r = run("index", "--model", model.toString(), "--input", all.toString(), "--output",
                idx.toString());
        assertEquals(2, r.exitCode());
        assertTrue(r.err().startsWith("error: " + idx + " is not empty"), r.err());
        // another model's queries
        Path other = TinyBertModel.write(tmp.resolve("tiny-other"), 7, 80);
        r = run("search", "--index", idx.toString(), "--model", other.toString(), "a fox");
        assertEquals(2, r.exitCode());
        assertTrue(r.err().startsWith("error: index " + idx + " holds vectors of model") && r.err().contains("sha256"),
                r.err());
        r = run("index", "--model", other.toString(), "--input", all.toString(), "--output", idx.toString(),
                "--append");
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("not of"), r.err());
        // the HNSW graph answers by default, and exact search agrees on the best hit of a text in the index
        r = run("search", "--index", idx.toString(), "-k", "1", texts.get(3));
        assertEquals(0, r.exitCode(), r.err());
        assertEquals("doc-3", JSON.readTree(r.out()).get("id").asText());
        // a truncated file
        try (RandomAccessFile f = new RandomAccessFile(idx.resolve("vectors.f32").toFile(), "rw")) {
            f.setLength(f.length() - 4);
        }
        r = run("search", "--index", idx.toString(), "a fox");
        assertEquals(2, r.exitCode());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains("vectors.f32 holds 9 vectors of 16 floats, but the manifest counts 10"), r.err());
        r = run("search", "--index", tmp.resolve("nothing").toString(), "a fox");
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("no such folder"), r.err());
    }
}
