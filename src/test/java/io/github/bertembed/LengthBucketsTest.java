package io.github.bertembed;

import io.github.bertembed.tokenizer.BertTokenizer;
import io.github.bertembed.tokenizer.Encoding;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Length-sorted runs: every text exactly once, within the count and the padded-token budget, shortest first. */
class LengthBucketsTest {

    @Test
    void runsCoverEveryTextOnceWithinBothBounds() {
        BertTokenizer tokenizer = BertTokenizer.builder(TestData.tokenizerJson("all-minilm-l6-v2")).maxLength(256).build();
        List<Encoding> encodings = tokenizer.encodeBatch(TestData.english().subList(0, 3000));
        for (int[] bounds : new int[][] {{32, 1024}, {8, 16384}, {1, 1}, {64, 300}}) {
            List<int[]> runs = new LengthBuckets(bounds[0], bounds[1]).runs(encodings);
            boolean[] seen = new boolean[encodings.size()];
            int previousLongest = 0;
            for (int[] run : runs) {
                int longest = 0;
                long real = 0;
                for (int i : run) {
                    real += encodings.get(i).length();
                    assertTrue(!seen[i], "text " + i + " in two runs");
                    seen[i] = true;
                    longest = Math.max(longest, encodings.get(i).length());
                    assertTrue(encodings.get(i).length() >= previousLongest, "shortest first");
                }
                assertTrue(run.length <= bounds[0], "at most " + bounds[0] + " texts");
                assertTrue(run.length == 1 || (long) run.length * longest <= bounds[1],
                        run.length + " × " + longest + " padded tokens over " + bounds[1]);
                assertTrue((long) run.length * longest * 8 <= real * 9, "padding at most an eighth of a run");
                previousLongest = longest;
            }
            for (boolean s : seen) {
                assertTrue(s, "every text in a run");
            }
            if (bounds[1] == 1) {
                assertEquals(encodings.size(), runs.size(), "over the budget, every text runs alone");
            }
        }
        assertThrows(IllegalArgumentException.class, () -> new LengthBuckets(0, 10));
        assertThrows(IllegalArgumentException.class, () -> new LengthBuckets(10, 0));
    }
}
