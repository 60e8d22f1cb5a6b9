package io.github.bertembed.tokenizer;

import org.junit.jupiter.api.Tag;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.github.bertembed.TestData;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Coverage-guided fuzz targets (Jazzer). Under {@code mvn verify} they replay the seed corpus in
 * {@code tests/fuzz-seeds/}; {@code JAZZER_FUZZ=1 mvn test -Dtest=TokenizerFuzzTest} fuzzes for real (see README).
 */
@Tag("reference")
class TokenizerFuzzTest {
    static final BertTokenizer UNCASED = BertTokenizer.fromFile(TestData.tokenizerJson("all-minilm-l6-v2"));
    static final BertTokenizer CASED = BertTokenizer.fromFile(TestData.tokenizerJson("bge-small-zh-v1.5"));
    static HuggingFaceTokenizer reference;

    /** Any UTF-16 string, lone surrogates included: no exception, ids in the vocabulary, offsets in the text. */
    @FuzzTest(maxDuration = "30s")
    void anyStringTokenizes(FuzzedDataProvider data) {
        String text = anyUtf16(data);
        for (BertTokenizer t : new BertTokenizer[] {UNCASED, CASED}) {
            Encoding e = t.encode(text);
            int previous = 0;
            for (int i = 0; i < e.length(); i++) {
                assertTrue(e.ids()[i] >= 0 && e.ids()[i] < t.vocabularySize());
                int[] o = e.offsets()[i];
                assertTrue(0 <= o[0] && o[0] <= o[1] && o[1] <= text.length());
                if (e.specialTokensMask()[i] == 0) {
                    assertTrue(o[0] >= previous);
                    previous = o[0];
                }
            }
            t.decode(e.ids());
        }
    }

    /**
     * Differential: the same ids as HuggingFace tokenizers for any string. HuggingFace (Rust) never sees a lone
     * surrogate, and DJL's string transport turns every supplementary character of such a text into U+FFFD (found
     * by this fuzzer: seed regression-cjk-ext); so the reference gets the text with lone surrogates replaced by
     * U+FFFD, which is exactly how we document treating them.
     */
    @FuzzTest(maxDuration = "30s")
    void sameIdsAsHuggingFace(FuzzedDataProvider data) {
        String text = anyUtf16(data);
        if (reference == null) {
            reference = HfReference.plain(TestData.tokenizerJson("all-minilm-l6-v2"));
        }
        var theirs = reference.encode(HfReference.replaceLoneSurrogates(text));
        Encoding ours = UNCASED.encode(text);
        assertArrayEquals(theirs.getIds(), java.util.Arrays.stream(ours.ids()).asLongStream().toArray(),
                () -> text.codePoints().mapToObj(Integer::toHexString).toList() + "\n ours   "
                        + java.util.Arrays.toString(ours.tokens()) + "\n theirs " + java.util.Arrays.toString(theirs.getTokens()));
    }

    /**
     * Arbitrary bytes as a tokenizer.json or vocab.txt: either a tokenizer, or one of the documented errors
     * (IllegalArgumentException with its UnsupportedTokenizerException, UncheckedIOException).
     */
    @FuzzTest(maxDuration = "30s")
    void anyTokenizerFileLoadsOrFailsCleanly(FuzzedDataProvider data) throws IOException {
        boolean json = data.consumeBoolean();
        byte[] bytes = data.consumeRemainingAsBytes();
        Path file = Files.createTempFile("fuzz", json ? ".json" : ".txt");
        try {
            Files.write(file, bytes);
            BertTokenizer t;
            try {
                t = BertTokenizer.fromFile(file);
            } catch (IllegalArgumentException | UncheckedIOException documented) {
                return;
            }
            Encoding e = t.encode("Hello, wörld! 中文 [SEP] 😀");
            for (int id : e.ids()) {
                assertTrue(id >= 0 && id < t.vocabularySize());
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** Strings from raw chars, so lone surrogates and every BMP code unit occur. */
    static String anyUtf16(FuzzedDataProvider data) {
        int n = data.remainingBytes() / 2;
        char[] chars = new char[n];
        for (int i = 0; i < n; i++) {
            chars[i] = data.consumeChar();
        }
        return new String(chars);
    }
}
