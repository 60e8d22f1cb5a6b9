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
 * @param poolingModes   every mode the Pooling module turns on, in the order sentence-transformers concatenates
 *                       them (cls, max, mean, mean_sqrt_len_tokens, weightedmean, lasttoken); empty without one
 * @param denseModules   the Dense modules' folders, relative to the model folder, in pipeline order
 * @param poolingProblem why the folder's Pooling module cannot be followed (no mode, prompts left out of pooling),
 *                       naming the file; null when it can. A caller's own pooling overrides it.
 * @param moduleProblem  why the folder's modules cannot be followed (a module other than Transformer, Pooling, Dense
 *                       and Normalize, or Normalize before a Dense), naming it and the file; null when they can
 */
public record SentenceTransformersConfig(Pooling pooling, Boolean normalize, Integer maxSeqLength,
                                         Map<String, String> prompts, java.util.List<Pooling> poolingModes,
                                         java.util.List<String> denseModules, String poolingProblem,
                                         String moduleProblem) {
    static final String POOLING_FILE = "1_Pooling/config.json";
    static final String MODULES_FILE = "modules.json";
    static final String CONFIG_FILE = "sentence_bert_config.json";
    static final String PROMPTS_FILE = "config_sentence_transformers.json";

    public SentenceTransformersConfig {
        prompts = prompts == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(prompts));
        poolingModes = poolingModes == null ? java.util.List.of() : java.util.List.copyOf(poolingModes);
        denseModules = denseModules == null ? java.util.List.of() : java.util.List.copyOf(denseModules);
    }

    /** Settings a folder's modules can all be followed by. */
    public SentenceTransformersConfig(Pooling pooling, Boolean normalize, Integer maxSeqLength,
                                      Map<String, String> prompts) {
        this(pooling, normalize, maxSeqLength, prompts, pooling == null ? null : java.util.List.of(pooling), null, null,
                null);
    }

    public static SentenceTransformersConfig read(Path folder) {
        ObjectMapper json = new ObjectMapper();
        Pooling pooling = null;
        Boolean normalize = null;
        Integer maxSeq = null;
        Map<String, String> prompts = new LinkedHashMap<>();
        String poolingProblem = null;
        String moduleProblem = null;
        java.util.List<Pooling> modes = new java.util.ArrayList<>();
        java.util.List<String> dense = new java.util.ArrayList<>();
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
                    } else if (name.equals("Dense")) {
                        dense.add(module.path("path").asText(""));
                        if (Boolean.TRUE.equals(normalize) && moduleProblem == null) {
                            moduleProblem = modulesFile + " lists Normalize before a Dense module ("
                                    + module.path("path").asText("") + "); bert-embed normalizes last";
                        }
                    } else if (name.equals("Pooling")) {
                        if (!module.path("path").asText("").isEmpty()) {
                            poolingFile = folder.resolve(module.path("path").asText()).resolve("config.json");
                        }
                    } else if (!name.equals("Transformer") && moduleProblem == null) {
                        // LayerNorm, WordWeights, CNN, ...: skipping one would give other vectors than the model's.
                        moduleProblem = modulesFile + " lists a " + type + " module (" + module.path("path").asText("")
                                + "), which bert-embed does not run; its vectors would differ from"
                                + " sentence-transformers'";
                    }
                }
            }
            if (Files.isRegularFile(poolingFile)) {
                JsonNode config = json.readTree(poolingFile.toFile());
                for (String[] mode : MODES) {
                    if (config.path(mode[0]).asBoolean(false)) {
                        modes.add(Pooling.valueOf(mode[1]));
                    }
                }
                pooling = modes.isEmpty() ? null : modes.get(0);
                if (modes.isEmpty()) {
                    poolingProblem = poolingFile + " turns on no pooling mode; choose one (Builder.pooling /"
                            + " --pooling)";
                } else if (!config.path("include_prompt").asBoolean(true)) {
                    poolingProblem = poolingFile + " leaves the prompt's tokens out of pooling (include_prompt:"
                            + " false), which bert-embed does not do; choose a pooling (Builder.pooling / --pooling) to"
                            + " pool every token";
                }
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
        return new SentenceTransformersConfig(pooling, normalize, maxSeq, prompts, modes, dense, poolingProblem,
                moduleProblem);
    }

    /** sentence-transformers' pooling modes (its config key, our mode), in the order it concatenates them. */
    private static final String[][] MODES = {{"pooling_mode_cls_token", "CLS"}, {"pooling_mode_max_tokens", "MAX"},
            {"pooling_mode_mean_tokens", "MEAN"}, {"pooling_mode_mean_sqrt_len_tokens", "MEAN_SQRT_LEN"},
            {"pooling_mode_weightedmean_tokens", "WEIGHTED_MEAN"}, {"pooling_mode_lasttoken", "LAST_TOKEN"}};
}
