package io.github.bertembed.tokenizer;

/**
 * The WordPiece model: a word (normalized characters with their source offsets) becomes its longest-match-first
 * pieces, found by the trie with failure links in one pass; a word over {@code maxInputCharsPerWord} code points,
 * or one the vocabulary cannot spell, becomes the unknown token spanning the whole word.
 */
final class WordPieceModel {
    private final WordPieceTrie trie;
    private final int unknownId;
    private final int maxInputCharsPerWord;

    WordPieceModel(WordPieceTrie trie, int unknownId, int maxInputCharsPerWord) {
        this.trie = trie;
        this.unknownId = unknownId;
        this.maxInputCharsPerWord = maxInputCharsPerWord;
    }

    /**
     * Appends a word's pieces to {@code out}, each with the offsets of its first and last character.
     *
     * @param codePoints the word's length in code points (the limit counts those, not UTF-16 units)
     * @param pieces     a reusable buffer
     */
    void tokenize(char[] word, int length, int codePoints, int[] starts, int[] ends, IntBuffer pieces,
                  TokenSequence out) {
        if (codePoints > maxInputCharsPerWord) {
            out.add(unknownId, starts[0], ends[length - 1]);
            return;
        }
        pieces.clear();
        if (!trie.tokenize(word, 0, length, pieces)) {
            out.add(unknownId, starts[0], ends[length - 1]);
            return;
        }
        int pos = 0;
        for (int k = 0; k < pieces.size(); k++) {
            int id = pieces.get(k);
            int last = pos + trie.pieceLength(id) - 1;
            out.add(id, starts[pos], ends[last]);
            pos = last + 1;
        }
    }
}
