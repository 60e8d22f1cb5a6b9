package io.github.bertembed.tokenizer;

/** Token ids of one text with their offsets into it (UTF-16), before truncation and the template. */
final class TokenSequence {
    final IntBuffer ids;
    final IntBuffer starts;
    final IntBuffer ends;

    TokenSequence(int capacity) {
        ids = new IntBuffer(capacity);
        starts = new IntBuffer(capacity);
        ends = new IntBuffer(capacity);
    }

    void add(int id, int start, int end) {
        ids.add(id);
        starts.add(start);
        ends.add(end);
    }

    int size() {
        return ids.size();
    }

    void clear() {
        ids.clear();
        starts.clear();
        ends.clear();
    }
}
