package io.github.bertembed.model;

import io.github.bertembed.SentenceEmbedder;
import io.github.bertembed.TestData;
import io.github.bertembed.pooling.Pooling;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Folders as Hugging Face repos and sentence-transformers keep them: the export under onnx/, and modules.json read
 * as the whole pipeline, so that a module we do not run is refused instead of silently skipped.
 */
class ModelFolderTest {
    private static final List<String> TEXTS = List.of("A fox sleeps.", "Two dogs run in the park.", "");

    @TempDir
    Path dir;

    /** all-minilm-l6-v2's files laid out as its Hugging Face repo: onnx/model.onnx and the sentence-transformers files. */
    private Path hubRepo(String modules, String pooling) throws Exception {
        Path source = TestData.model("all-minilm-l6-v2");
        Path repo = Files.createTempDirectory(dir, "all-MiniLM-L6-v2");
        Files.createDirectories(repo.resolve("onnx"));
        Files.createDirectories(repo.resolve("1_Pooling"));
        Files.copy(source.resolve("model.onnx"), repo.resolve("onnx/model.onnx"));
        Files.copy(source.resolve("tokenizer.json"), repo.resolve("tokenizer.json"));
        Files.writeString(repo.resolve("modules.json"), modules);
        Files.writeString(repo.resolve("1_Pooling/config.json"), pooling);
        Files.writeString(repo.resolve("sentence_bert_config.json"), "{\"max_seq_length\": 256, \"do_lower_case\": false}");
        return repo;
    }

    private static final String MODULES = """
            [{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
             {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
             {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"}]""";
    private static final String MEAN = """
            {"word_embedding_dimension": 384, "pooling_mode_cls_token": false, "pooling_mode_mean_tokens": true,
             "pooling_mode_max_tokens": false, "pooling_mode_mean_sqrt_len_tokens": false}""";

    @Test
    void aHubRepoWithItsExportUnderOnnxGivesTheNamedModelsVectors() throws Exception {
        Path repo = hubRepo(MODULES, MEAN);
        try (SentenceEmbedder named = SentenceEmbedder.builder().modelsDir(TestData.modelsDir())
                .model("all-minilm-l6-v2").build();
             SentenceEmbedder folder = SentenceEmbedder.builder().model(repo.toString()).build()) {
            assertEquals(repo.resolve("onnx/model.onnx"), ModelFolder.open(folder.location()).modelFile());
            List<float[]> expected = named.embedAll(TEXTS);
            List<float[]> actual = folder.embedAll(TEXTS);
            for (int i = 0; i < TEXTS.size(); i++) {
                assertArrayEquals(expected.get(i), actual.get(i), 0f, "the same graph: the same bits");
            }
            assertEquals(Pooling.MEAN, folder.pooling());
            assertTrue(folder.normalizes());
        }
    }

    @Test
    void aDenseModuleIsRefusedNamingItAndTheFile() throws Exception {
        Path repo = hubRepo(MODULES.replace("sentence_transformers.models.Normalize", "sentence_transformers.models.Dense")
                .replace("2_Normalize", "2_Dense"), MEAN);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SentenceEmbedder.builder().model(repo.toString()).build());
        assertEquals(repo.resolve("modules.json") + " lists a sentence_transformers.models.Dense module (2_Dense),"
                + " which bert-embed does not run; its vectors would differ from sentence-transformers'", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> SentenceEmbedder.builder().model(repo.toString())
                .pooling(Pooling.MEAN).build(), "choosing the pooling does not make a Dense module go away");
    }

    @Test
    void poolingModesWeDoNotComputeAreRefusedUnlessTheCallerChooses() throws Exception {
        Path repo = hubRepo(MODULES, MEAN.replace("\"pooling_mode_cls_token\": false", "\"pooling_mode_cls_token\": true"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SentenceEmbedder.builder().model(repo.toString()).build());
        assertEquals(repo.resolve("1_Pooling/config.json") + " asks for pooling modes cls + mean concatenated, which"
                + " bert-embed does not compute (cls, mean or max, one of them); choose one explicitly (Builder.pooling"
                + " / --pooling) to get other vectors than sentence-transformers'", e.getMessage());
        try (SentenceEmbedder chosen = SentenceEmbedder.builder().model(repo.toString()).pooling(Pooling.CLS).build()) {
            assertEquals(Pooling.CLS, chosen.pooling());
        }
        Path sqrt = hubRepo(MODULES, MEAN.replace("\"pooling_mode_mean_tokens\": true", "\"pooling_mode_mean_tokens\": false")
                .replace("\"pooling_mode_mean_sqrt_len_tokens\": false", "\"pooling_mode_mean_sqrt_len_tokens\": true"));
        IllegalArgumentException s = assertThrows(IllegalArgumentException.class,
                () -> SentenceEmbedder.builder().model(sqrt.toString()).build());
        assertTrue(s.getMessage().contains("asks for pooling mode mean_sqrt_len_tokens"), s.getMessage());
    }
}
