package io.github.bertembed.tokenizer;

/**
 * A token matched in the raw text before normalization, such as {@code [MASK]} or {@code [SEP]} written in the
 * input (tokenizer.json's {@code added_tokens}).
 *
 * @param content    the literal text
 * @param id         its id
 * @param special    whether decoding may skip it
 * @param leftStrip  whether the match swallows whitespace on its left
 * @param rightStrip whether the match swallows whitespace on its right
 * @param singleWord whether it only matches as a whole word
 */
public record AddedToken(String content, int id, boolean special, boolean leftStrip, boolean rightStrip,
                         boolean singleWord) {
}
