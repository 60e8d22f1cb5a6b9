package io.github.bertembed;

/**
 * A sentence vector with what happened on the way.
 *
 * @param vector    the sentence vector (unit length when normalization is on)
 * @param tokens    tokens the model saw, special tokens included
 * @param truncated whether tokens were dropped to fit the maximum length
 */
public record Embedding(float[] vector, int tokens, boolean truncated) {
}
