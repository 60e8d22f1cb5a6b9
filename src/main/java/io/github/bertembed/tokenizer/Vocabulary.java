package io.github.bertembed.tokenizer;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** Tokens and ids both ways, the added tokens among them, and which ids are special. Immutable. */
final class Vocabulary {
    private final String[] idToToken;
    private final Map<String, Integer> tokenToId;
    private final List<AddedToken> addedTokens;
    private final boolean[] special;

    Vocabulary(String[] idToToken, Map<String, Integer> tokenToId, List<AddedToken> addedTokens) {
        this.idToToken = idToToken;
        this.tokenToId = tokenToId;
        this.addedTokens = addedTokens;
        this.special = new boolean[idToToken.length];
        for (AddedToken a : addedTokens) {
            if (a.special()) {
                special[a.id()] = true;
            }
        }
    }

    /** Number of ids: every id the tokenizer produces is below it. */
    int size() {
        return idToToken.length;
    }

    /** The id of a token (vocabulary or added), or -1. */
    int id(String token) {
        Integer id = tokenToId.get(token);
        if (id != null) {
            return id;
        }
        for (AddedToken a : addedTokens) {
            if (a.content().equals(token)) {
                return a.id();
            }
        }
        return -1;
    }

    /** The token of an id, or null for an unused id. */
    String token(int id) {
        return idToToken[id];
    }

    /**
     * The token of an id, checked.
     *
     * @throws IllegalArgumentException for an id outside the vocabulary
     */
    String checkedToken(int id) {
        if (id < 0 || id >= idToToken.length || idToToken[id] == null) {
            throw new IllegalArgumentException("token id " + id + " is outside the vocabulary (0.."
                    + (idToToken.length - 1) + ")");
        }
        return idToToken[id];
    }

    boolean isSpecial(int id) {
        return special[id];
    }

    /** The tokens in id order, "" where an id is unused. */
    List<String> list() {
        return List.of(Arrays.stream(idToToken).map(t -> t == null ? "" : t).toArray(String[]::new));
    }
}
