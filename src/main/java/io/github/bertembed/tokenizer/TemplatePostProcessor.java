package io.github.bertembed.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Adds the special tokens of tokenizer.json's {@code TemplateProcessing} (or {@code BertProcessing}, or
 * {@code RobertaProcessing}) around one
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

    /**
     * The encoding of one text ({@code b} null) or a pair: the kept tokens {@code [from, from + count)} of each
     * sequence in the template's layout, with the template's special tokens when {@code addSpecial}.
     *
     * @param truncatedTokens how many tokens truncation dropped, for the encoding to report
     */
    Encoding assemble(TokenSequence a, int fromA, int keepA, TokenSequence b, int fromB, int keepB,
                      boolean addSpecial, Vocabulary vocabulary, int truncatedTokens) {
        List<Piece> template = b != null ? pair : single;
        int length = 0;
        for (Piece p : template) {
            if (p.isSequence()) {
                length += p.sequence() == 'A' ? keepA : keepB;
            } else if (addSpecial) {
                length += p.ids().length;
            }
        }
        int[] ids = new int[length];
        int[] types = new int[length];
        int[] mask = new int[length];
        int[] specialMask = new int[length];
        String[] tokens = new String[length];
        int[][] offsets = new int[length][];
        int k = 0;
        for (Piece p : template) {
            if (p.isSequence()) {
                boolean isA = p.sequence() == 'A';
                TokenSequence seq = isA ? a : b;
                int from = isA ? fromA : fromB;
                int count = isA ? keepA : keepB;
                for (int j = from; j < from + count; j++, k++) {
                    int id = seq.ids.get(j);
                    ids[k] = id;
                    types[k] = p.typeId();
                    mask[k] = 1;
                    tokens[k] = vocabulary.token(id);
                    offsets[k] = new int[] {seq.starts.get(j), seq.ends.get(j)};
                }
            } else if (addSpecial) {
                for (int j = 0; j < p.ids().length; j++, k++) {
                    ids[k] = p.ids()[j];
                    types[k] = p.typeId();
                    mask[k] = 1;
                    specialMask[k] = 1;
                    tokens[k] = p.tokens()[j];
                    offsets[k] = new int[] {0, 0};
                }
            }
        }
        return new Encoding(ids, types, mask, specialMask, tokens, offsets, truncatedTokens);
    }

    /** tokenizer.json's post_processor section: TemplateProcessing or BertProcessing (none: no special tokens). */
    static TemplatePostProcessor fromJson(Path file, JsonNode p) {
        if (p.isMissingNode() || p.isNull()) {
            return none();
        }
        String type = p.path("type").asText();
        if (type.equals("BertProcessing")) {
            JsonNode cls = p.path("cls");
            JsonNode sep = p.path("sep");
            return bert(cls.get(0).asText(), cls.get(1).asInt(), sep.get(0).asText(),
                    sep.get(1).asInt());
        }
        if (type.equals("RobertaProcessing")) {
            // <s> A </s> and <s> A </s></s> B </s>, every token of type 0
            JsonNode cls = p.path("cls");
            JsonNode sep = p.path("sep");
            Piece c = Piece.special(new int[] {cls.get(1).asInt()}, new String[] {cls.get(0).asText()}, 0);
            Piece s = Piece.special(new int[] {sep.get(1).asInt()}, new String[] {sep.get(0).asText()}, 0);
            Piece ss = Piece.special(new int[] {sep.get(1).asInt(), sep.get(1).asInt()},
                    new String[] {sep.get(0).asText(), sep.get(0).asText()}, 0);
            return new TemplatePostProcessor(List.of(c, Piece.sequence('A', 0), s),
                    List.of(c, Piece.sequence('A', 0), ss, Piece.sequence('B', 0), s));
        }
        if (!type.equals("TemplateProcessing")) {
            throw new UnsupportedTokenizerException(file + ": post_processor '" + type
                    + "' is not TemplateProcessing, BertProcessing or RobertaProcessing");
        }
        return new TemplatePostProcessor(template(file, p.path("single"), p.path("special_tokens")),
                template(file, p.path("pair"), p.path("special_tokens")));
    }

    private static List<Piece> template(Path file, JsonNode items, JsonNode specials) {
        List<Piece> pieces = new ArrayList<>();
        for (JsonNode item : items) {
            if (item.has("Sequence")) {
                JsonNode s = item.get("Sequence");
                pieces.add(Piece.sequence(s.path("id").asText("A").charAt(0),
                        s.path("type_id").asInt(0)));
            } else {
                JsonNode s = item.get("SpecialToken");
                String id = s.path("id").asText();
                JsonNode def = specials.path(id);
                if (def.isMissingNode()) {
                    throw new IllegalArgumentException(file + ": template names special token '" + id
                            + "' that special_tokens does not define");
                }
                int[] ids = new int[def.path("ids").size()];
                String[] toks = new String[ids.length];
                for (int i = 0; i < ids.length; i++) {
                    ids[i] = def.path("ids").get(i).asInt();
                    toks[i] = def.path("tokens").get(i).asText();
                }
                pieces.add(Piece.special(ids, toks, s.path("type_id").asInt(0)));
            }
        }
        return List.copyOf(pieces);
    }
}
