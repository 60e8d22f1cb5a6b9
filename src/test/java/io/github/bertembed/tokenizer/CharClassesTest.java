package io.github.bertembed.tokenizer;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import io.github.bertembed.TestData;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every code point, alone between letters, through both tokenizers: the character tables (control, whitespace,
 * punctuation, CJK) and the normalizer's per-character mapping must agree with HuggingFace on all 1,112,064.
 */
class CharClassesTest {

    @Test
    void everyCodePointTokenizesLikeHuggingFace() {
        for (String model : List.of("all-minilm-l6-v2", "bge-small-zh-v1.5")) {
            var json = TestData.tokenizerJson(model);
            BertTokenizer ours = BertTokenizer.fromFile(json);
            try (HuggingFaceTokenizer hf = HfReference.plain(json)) {
                List<String> texts = new ArrayList<>();
                List<String> failures = new ArrayList<>();
                for (int cp = 0; cp <= 0x10FFFF; cp++) {
                    if (cp >= 0xD800 && cp <= 0xDFFF) {
                        continue;
                    }
                    texts.add("ab" + new String(Character.toChars(cp)) + "cd");
                    if (texts.size() == 4096 || cp == 0x10FFFF) {
                        ai.djl.huggingface.tokenizers.Encoding[] theirs = hf.batchEncode(texts);
                        for (int i = 0; i < texts.size(); i++) {
                            String problem = HfReference.compare(texts.get(i), null, ours.encode(texts.get(i)),
                                    theirs[i], true);
                            if (problem != null) {
                                failures.add(String.format("U+%04X: %s", texts.get(i).codePointAt(2), problem));
                            }
                        }
                        texts.clear();
                    }
                }
                if (!failures.isEmpty()) {
                    fail(model + ": " + failures.size() + " code points differ; first: "
                            + String.join("\n", failures.subList(0, Math.min(10, failures.size()))));
                }
            }
        }
    }

    @Test
    void namedPredicates() {
        assertTrue(CharClasses.isWhitespace('\u00A0'), "NBSP is whitespace");
        assertTrue(CharClasses.isWhitespace('\u3000'), "ideographic space");
        assertFalse(CharClasses.isWhitespace('\u200B'), "ZWSP is a format character, not whitespace");
        assertTrue(CharClasses.isControl('\u200B'));
        assertTrue(CharClasses.isControl('\uFEFF'));
        assertTrue(CharClasses.isControl('\u00AD'));
        assertTrue(CharClasses.isControl(0xE000), "private use");
        assertFalse(CharClasses.isControl('\t'));
        assertFalse(CharClasses.isControl('\n'));
        assertTrue(CharClasses.isPunctuation('$'), "ASCII symbols count as punctuation");
        assertTrue(CharClasses.isPunctuation('\u3002'), "ideographic full stop");
        assertFalse(CharClasses.isPunctuation(0x2E52), "punctuation added in Unicode 13 is unknown to the reference");
        assertTrue(CharClasses.isCjkIdeograph('中'));
        assertFalse(CharClasses.isCjkIdeograph('あ'), "Hiragana is not isolated");
        assertEquals(CharClasses.PUNCT, CharClasses.kind('!'));
    }
}
