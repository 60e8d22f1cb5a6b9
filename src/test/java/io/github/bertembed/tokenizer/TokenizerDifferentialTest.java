package io.github.bertembed.tokenizer;

import org.junit.jupiter.api.Tag;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import io.github.bertembed.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Our tokenizer against HuggingFace tokenizers (through DJL) loading the same tokenizer.json: ids, type ids,
 * tokens, masks and offsets identical on whole corpora, for the uncased English and the cased Chinese tokenizer.
 */
@Tag("reference")
class TokenizerDifferentialTest {
    static final String ENGLISH = "all-minilm-l6-v2";
    static final String CHINESE = "bge-small-zh-v1.5";

    static final List<String> EN = TestData.english();
    static final List<String> ZH = TestData.chinese();
    static final List<String> HARD = TestData.hard();

    static Stream<Arguments> corpora() {
        return Stream.of(
                Arguments.of(ENGLISH, "fortunes-en", EN), Arguments.of(ENGLISH, "fortunes-zh", ZH),
                Arguments.of(ENGLISH, "hard", HARD),
                Arguments.of(CHINESE, "fortunes-zh", ZH), Arguments.of(CHINESE, "fortunes-en", EN),
                Arguments.of(CHINESE, "hard", HARD));
    }

    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("corpora")
    void singleTextsMatchHuggingFace(String model, String corpusName, List<String> corpus) {
        Path json = TestData.tokenizerJson(model);
        BertTokenizer ours = BertTokenizer.fromFile(json);
        try (HuggingFaceTokenizer hf = HfReference.plain(json)) {
            List<String> failures = new ArrayList<>();
            for (String text : corpus) {
                String problem = HfReference.compare(text, null, ours.encode(text), hf.encode(text),
                        !HfReference.hasLoneSurrogate(text));
                if (problem != null) {
                    failures.add(problem);
                }
            }
            if (!failures.isEmpty()) {
                fail(failures.size() + " of " + corpus.size() + " texts differ; first:\n"
                        + String.join("\n", failures.subList(0, Math.min(5, failures.size()))));
            }
        }
    }

    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("corpora")
    void pairsMatchHuggingFace(String model, String corpusName, List<String> corpus) {
        Path json = TestData.tokenizerJson(model);
        BertTokenizer ours = BertTokenizer.fromFile(json);
        try (HuggingFaceTokenizer hf = HfReference.plain(json)) {
            int n = Math.min(corpus.size() - 1, 3000);
            for (int i = 0; i < n; i++) {
                String a = corpus.get(i);
                String b = corpus.get(i + 1);
                String problem = HfReference.compare(a, b, ours.encode(a, b), hf.encode(a, b),
                        !HfReference.hasLoneSurrogate(a) && !HfReference.hasLoneSurrogate(b));
                if (problem != null) {
                    fail(problem);
                }
            }
        }
    }

    static Stream<Arguments> truncations() {
        List<Arguments> out = new ArrayList<>();
        for (String model : List.of(ENGLISH, CHINESE)) {
            for (TruncationStrategy s : List.of(TruncationStrategy.LONGEST_FIRST, TruncationStrategy.ONLY_FIRST,
                    TruncationStrategy.ONLY_SECOND)) {
                for (int max : new int[] {3, 8, 16, 31, 128}) {
                    out.add(Arguments.of(model, s, max));
                }
            }
        }
        return out.stream();
    }

    /** Every strategy and several lengths, on singles and pairs; where the reference refuses, so do we. */
    @ParameterizedTest(name = "{0} {1} max {2}")
    @MethodSource("truncations")
    void truncationMatchesHuggingFace(String model, TruncationStrategy strategy, int max) {
        Path json = TestData.tokenizerJson(model);
        BertTokenizer ours = BertTokenizer.builder(json).maxLength(max).truncation(strategy).build();
        List<String> corpus = model.equals(ENGLISH) ? EN : ZH;
        try (HuggingFaceTokenizer hf = HfReference.truncating(json, max, strategy)) {
            int refusals = 0;
            for (int i = 0; i < 400; i++) {
                String a = corpus.get(i * 7);
                String b = i % 3 == 0 ? null : corpus.get(i * 7 + 1);
                ai.djl.huggingface.tokenizers.Encoding theirs;
                try {
                    theirs = b == null ? hf.encode(a) : hf.encode(a, b);
                } catch (RuntimeException refused) {
                    refusals++;
                    assertThrows(IllegalArgumentException.class, () -> ours.encode(a, b),
                            "the reference refused, we must too: " + refused.getMessage());
                    continue;
                }
                Encoding e = ours.encode(a, b);
                String problem = HfReference.compare(a, b, e, theirs, true);
                if (problem != null) {
                    fail(strategy + " max " + max + ": " + problem);
                }
                assertEquals(theirs.exceedMaxLength(), e.truncated(), "truncated flag for " + a);
            }
            if (strategy == TruncationStrategy.LONGEST_FIRST) {
                assertEquals(0, refusals);
            }
        }
    }

    @Test
    void fileSettingsMatchHuggingFaceDefaults() {
        Path json = TestData.tokenizerJson(ENGLISH);
        BertTokenizer ours = BertTokenizer.builder(json).useFileSettings().build();
        // The file says: truncate longest_first at 128, pad to a fixed 128.
        try (HuggingFaceTokenizer hf = HfReference.build(HfReference.builder(json)
                .optTruncation(true).optMaxLength(128).optPadToMaxLength())) {
            for (String text : EN.subList(0, 2000)) {
                Encoding e = ours.encode(text);
                assertEquals(128, e.length());
                String problem = HfReference.compare(text, null, e, hf.encode(text), true);
                if (problem != null) {
                    fail(problem);
                }
            }
        }
    }

    @Test
    void batchPaddingToLongestMatchesHuggingFace() {
        Path json = TestData.tokenizerJson(ENGLISH);
        BertTokenizer ours = BertTokenizer.builder(json).padding(PaddingStrategy.LONGEST).build();
        try (HuggingFaceTokenizer hf = HfReference.build(HfReference.builder(json).optTruncation(false).optPadding(true))) {
            List<String> batch = EN.subList(100, 132);
            List<Encoding> mine = ours.encodeBatch(batch);
            ai.djl.huggingface.tokenizers.Encoding[] theirs = hf.batchEncode(batch);
            for (int i = 0; i < batch.size(); i++) {
                String problem = HfReference.compare(batch.get(i), null, mine.get(i), theirs[i], true);
                if (problem != null) {
                    fail(problem);
                }
            }
            assertTrue(mine.stream().mapToInt(Encoding::length).distinct().count() == 1);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("decodeModels")
    void decodeMatchesHuggingFace(String model) {
        Path json = TestData.tokenizerJson(model);
        BertTokenizer ours = BertTokenizer.fromFile(json);
        List<String> corpus = new ArrayList<>(model.equals(ENGLISH) ? EN.subList(0, 2000) : ZH.subList(0, 1000));
        corpus.addAll(HARD);
        try (HuggingFaceTokenizer hf = HfReference.plain(json)) {
            for (String text : corpus) {
                int[] ids = ours.encode(text).ids();
                long[] longIds = java.util.Arrays.stream(ids).asLongStream().toArray();
                assertEquals(hf.decode(longIds, false), ours.decode(ids), "decode of " + text);
                assertEquals(hf.decode(longIds, true), ours.decode(ids, true), "decode (skip special) of " + text);
            }
        }
    }

    static Stream<String> decodeModels() {
        return Stream.of(ENGLISH, CHINESE);
    }
}
