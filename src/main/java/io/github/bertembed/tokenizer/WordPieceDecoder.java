package io.github.bertembed.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * HuggingFace's {@code WordPiece} decoder: continuation pieces join their word, other tokens are separated by a
 * space, and with {@code cleanup} each token gets the tokenizer's English clean-up (" ." becomes "." and so on).
 *
 * @param prefix  the continuation prefix
 * @param cleanup whether to apply the clean-up
 */
record WordPieceDecoder(String prefix, boolean cleanup) {

    String decode(String[] tokens, int count) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < count; i++) {
            String token = tokens[i];
            if (i != 0) {
                token = token.startsWith(prefix) ? token.substring(prefix.length()) : " " + token;
            }
            out.append(cleanup ? cleanup(token) : token);
        }
        return out.toString();
    }

    private static String cleanup(String token) {
        // Applied per token, as the reference does; the replacements run in this order.
        return token.replace(" .", ".")
                .replace(" ?", "?")
                .replace(" !", "!")
                .replace(" ,", ",")
                .replace(" ' ", "'")
                .replace(" n't", "n't")
                .replace(" 'm", "'m")
                .replace(" do not", " don't")
                .replace(" 's", "'s")
                .replace(" 've", "'ve")
                .replace(" 're", "'re");
    }

    /** tokenizer.json's decoder section; the prefix defaults to the model's continuation prefix. */
    static WordPieceDecoder fromJson(JsonNode dec, String prefix) {
        return new WordPieceDecoder(dec.path("prefix").asText(prefix), dec.path("cleanup").asBoolean(true));
    }
}
