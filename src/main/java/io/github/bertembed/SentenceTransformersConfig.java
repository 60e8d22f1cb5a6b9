package io.github.bertembed;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.bertembed.pooling.Pooling;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What a sentence-transformers folder says about its model: the pooling mode ({@code 1_Pooling/config.json}) and
 * the maximum sequence length ({@code sentence_bert_config.json}). Either may be absent (null).
 *
 * @param pooling      the pooling mode, or null
 * @param maxSeqLength the maximum sequence length in tokens, or null
 */
record SentenceTransformersConfig(Pooling pooling, Integer maxSeqLength) {

    static SentenceTransformersConfig read(Path folder) {
        ObjectMapper json = new ObjectMapper();
        Pooling pooling = null;
        Integer maxSeq = null;
        try {
            Path poolingFile = folder.resolve("1_Pooling").resolve("config.json");
            if (Files.isRegularFile(poolingFile)) {
                JsonNode p = json.readTree(poolingFile.toFile());
                if (p.path("pooling_mode_cls_token").asBoolean(false)) {
                    pooling = Pooling.CLS;
                } else if (p.path("pooling_mode_max_tokens").asBoolean(false)) {
                    pooling = Pooling.MAX;
                } else if (p.path("pooling_mode_mean_tokens").asBoolean(false)) {
                    pooling = Pooling.MEAN;
                }
            }
            Path st = folder.resolve("sentence_bert_config.json");
            if (Files.isRegularFile(st)) {
                JsonNode c = json.readTree(st.toFile());
                if (c.path("max_seq_length").isInt()) {
                    maxSeq = c.path("max_seq_length").asInt();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read sentence-transformers config in " + folder + ": "
                    + e.getMessage(), e);
        }
        return new SentenceTransformersConfig(pooling, maxSeq);
    }
}
