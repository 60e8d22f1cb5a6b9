package io.github.bertembed.search;

/**
 * One search result: the row of the index, the record's id and text, its score and its rank (1 = best).
 *
 * @param row   the row in the index, from 0 in the order records were added
 * @param id    the record's id (a string or a number), or null when it was added without one
 * @param text  the record's text, or null when it was added without one
 * @param score the dot product of query and vector (the cosine for normalized vectors); without rescoring, the
 *              quantized score (int8: the dot product of the int8 codes; binary: the float query's dot product
 *              with the signs, or minus the Hamming distance)
 * @param rank  1 for the best hit
 */
public record Hit(long row, Object id, String text, double score, int rank) {
    /** Puts the hit's rank, id, score and text into {@code n}: the JSON that {@code search} and the server print. */
    public com.fasterxml.jackson.databind.node.ObjectNode writeTo(com.fasterxml.jackson.databind.node.ObjectNode n) {
        n.put("rank", rank);
        if (id instanceof Number num) {
            n.putPOJO("id", num);
        } else {
            n.put("id", id == null ? null : id.toString());
        }
        n.put("score", score);
        n.put("text", text);
        return n;
    }
}
