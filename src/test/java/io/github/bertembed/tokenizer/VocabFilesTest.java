package io.github.bertembed.tokenizer;

import org.junit.jupiter.api.Tag;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.bertembed.TestData;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The committed vocab/ files are the models' own vocabularies as their tokenizer.json states them (read here with
 * Jackson, not with our loader), and a tokenizer built from vocab.txt gives HuggingFace's ids.
 */
@Tag("reference")
class VocabFilesTest {

    @ParameterizedTest
    @CsvSource({"all-minilm-l6-v2,true", "bge-small-zh-v1.5,false"})
    void vocabTxtIsTheModelsVocabularyAndTokenizesAsHuggingFace(String model, boolean uncased) throws IOException {
        Path vocab = Path.of("vocab", model, "vocab.txt");
        JsonNode map = new ObjectMapper().readTree(TestData.tokenizerJson(model).toFile()).get("model").get("vocab");
        String[] byId = new String[map.size()];
        map.fields().forEachRemaining(f -> byId[f.getValue().asInt()] = f.getKey());
        List<String> lines = Files.readAllLines(vocab, StandardCharsets.UTF_8);
        assertEquals(Arrays.asList(byId), lines, "vocab.txt line i is the tokenizer.json's token of id i");

        BertTokenizer txt = BertTokenizer.builder(vocab)
                .vocabNormalizer(uncased ? BertNormalizer.uncased() : BertNormalizer.cased()).build();
        List<String> corpus = new ArrayList<>(uncased ? TestData.english().subList(0, 3000)
                : TestData.chinese().subList(0, 2000));
        corpus.addAll(TestData.hard());
        try (HuggingFaceTokenizer hf = HfReference.plain(TestData.tokenizerJson(model))) {
            for (String text : corpus) {
                long[] theirs = hf.encode(text).getIds();
                assertArrayEquals(theirs, Arrays.stream(txt.encode(text).ids()).asLongStream().toArray(), text);
            }
        }
    }
}
