package io.github.bertembed.tokenizer;

import java.util.List;

/**
 * Adds the special tokens of tokenizer.json's {@code TemplateProcessing} (or {@code BertProcessing}) around one
 * text or a pair: {@code [CLS] A [SEP]} and {@code [CLS] A [SEP] B [SEP]}, with the template's type ids.
 *
 * @param single the template for one text
 * @param pair   the template for a pair
 */
record TemplatePostProcessor(List<Piece> single, List<Piece> pair) {

    /**
     * One element of a template: a sequence (A or B) or special tokens, with the type id its tokens get.
     *
     * @param sequence 'A' or 'B' for a sequence, 0 for special tokens
     * @param ids      the special tokens' ids (empty for a sequence)
     * @param tokens   the special tokens' strings
     * @param typeId   the type (segment) id
     */
    record Piece(char sequence, int[] ids, String[] tokens, int typeId) {
        static Piece sequence(char which, int typeId) {
            return new Piece(which, new int[0], new String[0], typeId);
        }

        static Piece special(int[] ids, String[] tokens, int typeId) {
            return new Piece((char) 0, ids, tokens, typeId);
        }

        boolean isSequence() {
            return sequence != 0;
        }
    }

    /** A template that adds nothing: the post-processor of a tokenizer.json without one. */
    static TemplatePostProcessor none() {
        return new TemplatePostProcessor(List.of(Piece.sequence('A', 0)),
                List.of(Piece.sequence('A', 0), Piece.sequence('B', 1)));
    }

    /** {@code [CLS] A [SEP]} / {@code [CLS] A [SEP] B [SEP]}, BERT's own layout. */
    static TemplatePostProcessor bert(String cls, int clsId, String sep, int sepId) {
        Piece c = Piece.special(new int[] {clsId}, new String[] {cls}, 0);
        Piece s0 = Piece.special(new int[] {sepId}, new String[] {sep}, 0);
        Piece s1 = Piece.special(new int[] {sepId}, new String[] {sep}, 1);
        return new TemplatePostProcessor(List.of(c, Piece.sequence('A', 0), s0),
                List.of(c, Piece.sequence('A', 0), s0, Piece.sequence('B', 1), s1));
    }

    /** How many special tokens the template adds. */
    int addedTokens(boolean isPair) {
        int n = 0;
        for (Piece p : isPair ? pair : single) {
            n += p.ids().length;
        }
        return n;
    }
}
