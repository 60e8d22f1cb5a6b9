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
 * @param poolingProblem why the folder's Pooling module cannot be followed (a mode we do not compute, several modes
 *                       concatenated), naming the file; null when it can. A caller's own pooling overrides it.
 * @param moduleProblem  why the folder's modules cannot be followed (a module other than Transformer, Pooling and
 *                       Normalize, such as Dense), naming it and the file; null when they can
 */
public record SentenceTransformersConfig(Pooling pooling, Boolean normalize, Integer maxSeqLength,
                                         Map<String, String> prompts, String poolingProblem, String moduleProblem) {
    static final String POOLING_FILE = "1_Pooling/config.json";
    static final String MODULES_FILE = "modules.json";
    static final String CONFIG_FILE = "sentence_bert_config.json";
    static final String PROMPTS_FILE = "config_sentence_transformers.json";

    public SentenceTransformersConfig {
        prompts = prompts == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(prompts));
    }

    /** Settings a folder's modules can all be followed by. */
    public SentenceTransformersConfig(Pooling pooling, Boolean normalize, Integer maxSeqLength,
                                      Map<String, String> prompts) {
        this(pooling, normalize, maxSeqLength, prompts, null, null);
    }

    public static SentenceTransformersConfig read(Path folder) {
        ObjectMapper json = new ObjectMapper();
        Pooling pooling = null;
        Boolean normalize = null;
        Integer maxSeq = null;
        Map<String, String> prompts = new LinkedHashMap<>();
        String poolingProblem = null;
        String moduleProblem = null;
        try {
            Path poolingFile = folder.resolve(POOLING_FILE);
            Path modulesFile = folder.resolve(MODULES_FILE);
            if (Files.isRegularFile(modulesFile)) {
                normalize = false;
                for (JsonNode module : json.readTree(modulesFile.toFile())) {
                    String type = module.path("type").asText("");
                    String name = type.substring(type.lastIndexOf('.') + 1);
                    if (name.equals("Normalize")) {
                        normalize = true;
                    } else if (name.equals("Pooling")) {
                        if (!module.path("path").asText("").isEmpty()) {
                            poolingFile = folder.resolve(module.path("path").asText()).resolve("config.json");
                        }
                    } else if (!name.equals("Transformer") && moduleProblem == null) {
                        // Dense, LayerNorm, WordWeights, ...: skipping one would give other vectors than the model's.
                        moduleProblem = modulesFile + " lists a " + type + " module (" + module.path("path").asText("")
                                + "), which bert-embed does not run; its vectors would differ from"
                                + " sentence-transformers'";
                    }
                }
            }
            if (Files.isRegularFile(poolingFile)) {
                JsonNode config = json.readTree(poolingFile.toFile());
                pooling = pooling(config);
                poolingProblem = pooling == null ? poolingProblem(poolingFile, config) : null;
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
        return new SentenceTransformersConfig(pooling, normalize, maxSeq, prompts, poolingProblem, moduleProblem);
    }

    /** sentence-transformers' pooling modes, in the order it concatenates them. */
    private static final String[][] MODES = {{"pooling_mode_cls_token", "cls"}, {"pooling_mode_mean_tokens", "mean"},
            {"pooling_mode_max_tokens", "max"}, {"pooling_mode_mean_sqrt_len_tokens", "mean_sqrt_len_tokens"},
            {"pooling_mode_weightedmean_tokens", "weightedmean"}, {"pooling_mode_lasttoken", "lasttoken"}};

    /** The one mode the config turns on, when it is one we compute; null otherwise. */
    private static Pooling pooling(JsonNode p) {
        java.util.List<String> on = modesOn(p);
        if (on.size() != 1) {
            return null;
        }
        return switch (on.get(0)) {
            case "cls" -> Pooling.CLS;
            case "mean" -> Pooling.MEAN;
            case "max" -> Pooling.MAX;
            default -> null;
        };
    }

    private static java.util.List<String> modesOn(JsonNode p) {
        java.util.List<String> on = new java.util.ArrayList<>();
        for (String[] mode : MODES) {
            if (p.path(mode[0]).asBoolean(false)) {
                on.add(mode[1]);
            }
        }
        return on;
    }

    /** Never guess another mode: say what the file asks for and how to choose one. */
    private static String poolingProblem(Path file, JsonNode p) {
        java.util.List<String> on = modesOn(p);
        String asked = on.isEmpty() ? "no pooling mode" : on.size() == 1 ? "pooling mode " + on.get(0)
                : "pooling modes " + String.join(" + ", on) + " concatenated";
        return file + " asks for " + asked + ", which bert-embed does not compute (cls, mean or max, one of them);"
                + " choose one explicitly (Builder.pooling / --pooling) to get other vectors than sentence-transformers'";
    }
}
