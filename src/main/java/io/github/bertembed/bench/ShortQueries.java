package io.github.bertembed.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Search-style queries of 2 to 7 words, cut from a corpus at fixed random places (the same every run). */
public final class ShortQueries {
    private ShortQueries() {
    }

    public static List<String> from(List<String> corpus, int count) {
        Random random = new Random(42);
        List<String> out = new ArrayList<>(count);
        while (out.size() < count) {
            String[] words = corpus.get(random.nextInt(corpus.size())).replaceAll("[^\\p{L}\\p{N}' ]+", " ")
                    .trim().split("\\s+");
            int n = 2 + random.nextInt(6);
            if (words.length < n) {
                continue;
            }
            int from = random.nextInt(words.length - n + 1);
            out.add(String.join(" ", java.util.Arrays.copyOfRange(words, from, from + n)).toLowerCase());
        }
        return out;
    }
}
