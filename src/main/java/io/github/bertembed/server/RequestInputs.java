package io.github.bertembed.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.bertembed.tokenizer.BertTokenizer;
import io.github.bertembed.tokenizer.Encoding;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A request's inputs, read from JSON and tokenized on the request's thread under the server's limits: the
 * client batch size (413), the model's maximum length without truncation (413, naming the token count), and
 * the JSON types (422).
 */
final class RequestInputs {
    private final BertTokenizer untruncated;
    private final BertTokenizer truncateRight;
    private final BertTokenizer truncateLeft;
    private final int maxLength;
    private final int maxInputs;
    private final Protocol protocol;

    /** @param maxInputs most inputs in one request (413 beyond, naming the protocol's setting) */
    RequestInputs(BertTokenizer tokenizer, int maxLength, int maxInputs, Protocol protocol) {
        this.untruncated = tokenizer.toBuilder().maxLength(0).build();
        this.truncateRight = tokenizer.toBuilder().maxLength(maxLength).truncateFromLeft(false).build();
        this.truncateLeft = tokenizer.toBuilder().maxLength(maxLength).truncateFromLeft(true).build();
        this.maxLength = maxLength;
        this.maxInputs = maxInputs;
        this.protocol = protocol;
    }

    int maxLength() {
        return maxLength;
    }

    /** A string or an array of strings, as TEI's and OpenAI's {@code inputs}/{@code input} take. */
    List<String> texts(JsonNode node, String field) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            throw ApiError.validation("`" + field + "` is required", field);
        }
        List<String> texts = new ArrayList<>();
        if (node.isTextual()) {
            texts.add(node.asText());
        } else if (node.isArray()) {
            for (JsonNode item : node) {
                if (!item.isTextual()) {
                    throw ApiError.validation("`" + field + "` must be a string or an array of strings", field);
                }
                texts.add(item.asText());
            }
        } else {
            throw ApiError.validation("`" + field + "` must be a string or an array of strings", field);
        }
        checkCount(texts.size(), field);
        return texts;
    }

    void checkCount(int count, String field) {
        if (count == 0) {
            throw new ApiError(400, "Empty", "`" + field + "` cannot be empty", field); // TEI's status for Empty
        }
        if (count > maxInputs) {
            throw ApiError.batchSize(field, count, maxInputs, protocol.maxInputsSetting());
        }
    }

    /**
     * The texts tokenized: truncated to the maximum length from the right or left when {@code truncate}, else
     * refused with 413 when one is longer.
     */
    List<Encoding> encode(List<String> texts, boolean truncate, boolean fromLeft, String field) {
        BertTokenizer tokenizer = !truncate ? truncateRight : fromLeft ? truncateLeft : truncateRight;
        List<Encoding> encodings = tokenizer.encodeBatch(texts);
        if (!truncate) {
            for (int i = 0; i < encodings.size(); i++) {
                if (encodings.get(i).truncated()) {
                    int tokens = untruncated.encode(texts.get(i)).length();
                    throw ApiError.tooLong(field, maxLength, tokens, protocol.requestCanTruncate());
                }
            }
        }
        return encodings;
    }

    /**
     * TEI's and OpenAI's {@code Input}: a string, token ids ({@code [int]}), or a batch mixing strings and token
     * ids ({@code [string | [int]]}), in order, tokenized (strings) or taken as given (ids, no special tokens
     * added), under the same limits. A non-empty {@code prompt} goes before every string (and before the decoded
     * text of token ids, as TEI does).
     */
    List<Encoding> encodings(JsonNode node, boolean truncate, boolean fromLeft, String prompt, String field) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            throw ApiError.validation("`" + field + "` is required", field);
        }
        if (node.isTextual()) {
            return encode(List.of(prompt + node.asText()), truncate, fromLeft, field);
        }
        if (!node.isArray()) {
            throw ApiError.validation(mixed(field), field);
        }
        boolean singleIds = node.isEmpty() || node.get(0).isIntegralNumber();
        List<JsonNode> items = new ArrayList<>();
        if (singleIds) {
            items.add(node);
        } else {
            node.forEach(items::add);
        }
        checkCount(node.isEmpty() ? 0 : items.size(), field);
        List<String> texts = new ArrayList<>();
        List<Integer> textAt = new ArrayList<>();
        Encoding[] out = new Encoding[items.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode item = items.get(i);
            if (item.isTextual()) {
                texts.add(prompt + item.asText());
                textAt.add(i);
            } else if (item.isArray() && prompt.isEmpty()) {
                out[i] = ids(intArray(item, field), truncate, field);
            } else if (item.isArray()) {
                // With a prompt, TEI decodes the ids and embeds the prompt and that text, special tokens added.
                texts.add(prompt + decoded(intArray(item, field), field));
                textAt.add(i);
            } else {
                throw ApiError.validation(mixed(field), field);
            }
        }
        List<Encoding> encoded = encode(texts, truncate, fromLeft, field);
        for (int k = 0; k < encoded.size(); k++) {
            out[textAt.get(k)] = encoded.get(k);
        }
        return Arrays.asList(out);
    }

    private String decoded(int[] ids, String field) {
        try {
            return untruncated.decode(ids, true);
        } catch (IllegalArgumentException e) {
            throw ApiError.validation(e.getMessage(), field);
        }
    }

    private static String mixed(String field) {
        return "`" + field + "` must be a string, an array of strings, an array of token ids or an array of"
                + " strings and arrays of token ids";
    }

    /** Token ids given by the client, used as they are; truncated from the right when {@code truncate}. */
    private Encoding ids(int[] ids, boolean truncate, String field) {
        if (ids.length == 0) {
            throw new ApiError(400, "Empty", "`" + field + "` holds an empty token array", field);
        }
        int cut = 0;
        if (ids.length > maxLength) {
            if (!truncate) {
                throw ApiError.tooLong(field, maxLength, ids.length, protocol.requestCanTruncate());
            }
            cut = ids.length - maxLength;
            ids = Arrays.copyOf(ids, maxLength);
        }
        String[] tokens = new String[ids.length];
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= untruncated.vocabularySize()) {
                throw ApiError.validation("token id " + ids[i] + " is outside the vocabulary (0.."
                        + (untruncated.vocabularySize() - 1) + ")", field);
            }
            tokens[i] = untruncated.idToToken(ids[i]);
        }
        int[] ones = new int[ids.length];
        Arrays.fill(ones, 1);
        return new Encoding(ids, new int[ids.length], ones, new int[ids.length], tokens, new int[ids.length][2], cut);
    }

    private static int[] intArray(JsonNode node, String field) {
        int[] ids = new int[node.size()];
        for (int i = 0; i < ids.length; i++) {
            JsonNode id = node.get(i);
            if (!id.isIntegralNumber()) {
                throw ApiError.validation("`" + field + "` mixes token ids and other values", field);
            }
            if (!id.canConvertToInt()) {
                throw ApiError.validation("token id " + id.asText() + " is outside the vocabulary", field);
            }
            ids[i] = id.asInt();
        }
        return ids;
    }

    BertTokenizer tokenizer() {
        return untruncated;
    }
}
