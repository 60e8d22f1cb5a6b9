package io.github.bertembed.tokenizer;

import io.github.bertembed.TestData;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The committed vocab/ files are the tokenizer.json vocabularies, and tokenize the same way. */
class VocabFilesTest {

    @ParameterizedTest
    @CsvSource({"all-minilm-l6-v2,true", "bge-small-zh-v1.5,false"})
    void vocabTxtEqualsTokenizerJson(String model, boolean uncased) throws IOException {
        Path vocab = Path.of("vocab", model, "vocab.txt");
        BertTokenizer json = BertTokenizer.fromFile(TestData.tokenizerJson(model));
        List<String> lines = Files.readAllLines(vocab, StandardCharsets.UTF_8);
        assertEquals(json.vocabulary(), lines, "vocab.txt line i is token i");

        BertTokenizer txt = BertTokenizer.builder(vocab)
                .vocabNormalizer(uncased ? BertNormalizer.uncased() : BertNormalizer.cased()).build();
        List<String> corpus = uncased ? TestData.english().subList(0, 3000) : TestData.chinese().subList(0, 2000);
        for (String text : corpus) {
            assertArrayEquals(json.encode(text).ids(), txt.encode(text).ids(), text);
        }
        for (String text : TestData.hard()) {
            assertArrayEquals(json.encode(text).ids(), txt.encode(text).ids(), text);
        }
    }
}
