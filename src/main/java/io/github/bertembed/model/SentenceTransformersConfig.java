package io.github.bertembed.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.bertembed.pooling.Pooling;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a sentence-transformers folder says about its model: the pooling mode (the Pooling module's
 * {@code config.json}, {@code 1_Pooling/} unless {@code modules.json} names another folder), whether the pipeline
 * ends in a Normalize module ({@code modules.json}), the maximum sequence length
 * ({@code sentence_bert_config.json}) and the named prompts ({@code config_sentence_transformers.json}). Each may
 * be absent (null; no prompts: empty).
 *
 * @param pooling      the pooling mode, or null
 * @param normalize    whether modules.json lists a Normalize module, or null without a modules.json
 * @param maxSeqLength the maximum sequence length in tokens, or null
 * @param prompts      prompt name → the text put before an input (e.g. "query" → "query: "), in file order
 */
public record SentenceTransformersConfig(Pooling pooling, Boolean normalize, Integer maxSeqLength,
                                         Map<String, String> prompts) {
    static final String POOLING_FILE = "1_Pooling/config.json";
    static final String MODULES_FILE = "modules.json";
    static final String CONFIG_FILE = "sentence_bert_config.json";
    static final String PROMPTS_FILE = "config_sentence_transformers.json";

    public SentenceTransformersConfig {
        prompts = prompts == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(prompts));
    }

    public static SentenceTransformersConfig read(Path folder) {
        ObjectMapper json = new ObjectMapper();
        Pooling pooling = null;
        Boolean normalize = null;
        Integer maxSeq = null;
        Map<String, String> prompts = new LinkedHashMap<>();
        try {
            Path poolingFile = folder.resolve(POOLING_FILE);
            Path modulesFile = folder.resolve(MODULES_FILE);
            if (Files.isRegularFile(modulesFile)) {
                normalize = false;
                for (JsonNode module : json.readTree(modulesFile.toFile())) {
                    String type = module.path("type").asText("");
                    if (type.endsWith(".Normalize")) {
                        normalize = true;
                    } else if (type.endsWith(".Pooling") && !module.path("path").asText("").isEmpty()) {
                        poolingFile = folder.resolve(module.path("path").asText()).resolve("config.json");
                    }
                }
            }
            if (Files.isRegularFile(poolingFile)) {
                pooling = pooling(poolingFile, json.readTree(poolingFile.toFile()));
            }
            Path st = folder.resolve(CONFIG_FILE);
            if (Files.isRegularFile(st)) {
                JsonNode c = json.readTree(st.toFile());
                if (c.path("max_seq_length").isInt()) {
                    maxSeq = c.path("max_seq_length").asInt();
                }
            }
            Path promptsFile = folder.resolve(PROMPTS_FILE);
            if (Files.isRegularFile(promptsFile)) {
                JsonNode p = json.readTree(promptsFile.toFile()).path("prompts");
                p.fields().forEachRemaining(e -> {
                    if (e.getValue().isTextual()) {
                        prompts.put(e.getKey(), e.getValue().asText());
                    }
                });
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read sentence-transformers config in " + folder + ": "
                    + e.getMessage(), e);
        }
        return new SentenceTransformersConfig(pooling, normalize, maxSeq, prompts);
    }

    private static Pooling pooling(Path file, JsonNode p) {
        if (p.path("pooling_mode_cls_token").asBoolean(false)) {
            return Pooling.CLS;
        } else if (p.path("pooling_mode_max_tokens").asBoolean(false)) {
            return Pooling.MAX;
        } else if (p.path("pooling_mode_mean_tokens").asBoolean(false)) {
            return Pooling.MEAN;
        }
        // weighted mean, last token, mean of square roots: not something we compute; never guess another.
        throw new IllegalArgumentException(file + " asks for a pooling mode other than cls, max or mean; choose one"
                + " explicitly (Builder.pooling / --pooling)");
    }
}
