package io.github.bertembed.tokenizer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything a WordPiece tokenizer file says: vocabulary, normalizer, added tokens, template, decoder, and the
 * file's own truncation and padding sections (applied only on request).
 *
 * @param vocabulary           token to id
 * @param idToToken            id to token, added tokens included
 * @param unknownToken         the token for words WordPiece cannot split
 * @param continuationPrefix   usually {@code ##}
 * @param maxInputCharsPerWord longer words become the unknown token
 * @param normalizer           the BERT normalizer options
 * @param addedTokens          tokens matched in the raw text
 * @param postProcessor        the special-token template
 * @param decoder              the decoder
 * @param fileTruncation       tokenizer.json's truncation section, or null
 * @param filePadding          tokenizer.json's padding section, or null
 */
record TokenizerSpec(Map<String, Integer> vocabulary, String[] idToToken, String unknownToken,
                     String continuationPrefix, int maxInputCharsPerWord, BertNormalizer normalizer,
                     List<AddedToken> addedTokens, TemplatePostProcessor postProcessor, WordPieceDecoder decoder,
                     FileTruncation fileTruncation, FilePadding filePadding) {

    /** tokenizer.json's truncation section. */
    record FileTruncation(int maxLength, TruncationStrategy strategy, boolean fromLeft) {
        /** The section, or null when the file has none. */
        static FileTruncation fromJson(JsonNode tr) {
            if (!tr.isObject()) {
                return null;
            }
            return new FileTruncation(tr.path("max_length").asInt(),
                    TruncationStrategy.parse(tr.path("strategy").asText("LongestFirst")),
                    tr.path("direction").asText("Right").equals("Left"));
        }
    }

    /** tokenizer.json's padding section; {@code fixedLength} null means "pad to the longest in the batch". */
    record FilePadding(Integer fixedLength, int padId, int padTypeId, String padToken, Integer padToMultipleOf) {
        /** The section, or null when the file has none. */
        static FilePadding fromJson(JsonNode pd) {
            if (!pd.isObject()) {
                return null;
            }
            JsonNode strategy = pd.path("strategy");
            Integer fixed = strategy.has("Fixed") ? strategy.path("Fixed").asInt() : null;
            JsonNode multiple = pd.path("pad_to_multiple_of");
            return new FilePadding(fixed, pd.path("pad_id").asInt(0), pd.path("pad_type_id").asInt(0),
                    pd.path("pad_token").asText("[PAD]"), multiple.isInt() ? multiple.asInt() : null);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Reads a tokenizer.json, or a vocab.txt (one token per line, line number = id) with {@code vocabOptions}. */
    static TokenizerSpec read(Path file, BertNormalizer vocabOptions) throws IOException {
        if (Files.isDirectory(file)) {
            throw new IllegalArgumentException(file + " is a folder; expected a tokenizer.json or vocab.txt file");
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(file.toString(), null, "tokenizer file not found");
        }
        String name = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        if (name.endsWith(".json")) {
            return fromJson(file, bytes);
        }
        return fromVocabTxt(file, bytes, vocabOptions);
    }

    private static String utf8(Path file, byte[] bytes) throws IOException {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new IOException(file + " is not valid UTF-8", e);
        }
    }

    static TokenizerSpec fromVocabTxt(Path file, byte[] bytes, BertNormalizer normalizer) throws IOException {
        String text = utf8(file, bytes);
        Map<String, Integer> vocab = new HashMap<>();
        List<String> tokens = new ArrayList<>();
        int lineStart = 0;
        int id = 0;
        while (lineStart < text.length()) {
            int nl = text.indexOf('\n', lineStart);
            int lineEnd = nl < 0 ? text.length() : nl;
            String token = text.substring(lineStart, lineEnd).stripTrailing();
            vocab.put(token, id++);
            tokens.add(token);
            lineStart = lineEnd + 1;
        }
        if (vocab.isEmpty()) {
            throw new IllegalArgumentException(file + " holds no tokens");
        }
        String unk = requireToken(file, vocab, "[UNK]");
        List<AddedToken> added = new ArrayList<>();
        for (String special : List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")) {
            Integer sid = vocab.get(special);
            if (sid != null) {
                added.add(new AddedToken(special, sid, true, false, false, false));
            }
        }
        String cls = requireToken(file, vocab, "[CLS]");
        String sep = requireToken(file, vocab, "[SEP]");
        TemplatePostProcessor post = TemplatePostProcessor.bert(cls, vocab.get(cls), sep, vocab.get(sep));
        return new TokenizerSpec(vocab, tokens.toArray(new String[0]), unk, "##", 100, normalizer, added, post,
                new WordPieceDecoder("##", true), null, null);
    }

    private static String requireToken(Path file, Map<String, Integer> vocab, String token) {
        if (!vocab.containsKey(token)) {
            throw new IllegalArgumentException(file + " has no " + token + " token; a BERT vocabulary needs one");
        }
        return token;
    }

    static TokenizerSpec fromJson(Path file, byte[] bytes) throws IOException {
        JsonNode root;
        try {
            root = JSON.readTree(bytes);
        } catch (JsonProcessingException e) {
            throw new IOException(file + " is not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException(file + " is not a tokenizer.json (no JSON object)");
        }
        JsonNode model = root.path("model");
        String type = model.path("type").asText("");
        if (!type.equals("WordPiece")) {
            throw new UnsupportedTokenizerException(file + ": the tokenizer model is '" + type
                    + "', not WordPiece; bert-embed reads WordPiece tokenizers (BertNormalizer, BertPreTokenizer: the BERT family) only");
        }
        JsonNode vocabNode = model.path("vocab");
        if (!vocabNode.isObject() || vocabNode.isEmpty()) {
            throw new IllegalArgumentException(file + ": model.vocab is missing or empty");
        }
        Map<String, Integer> vocab = new HashMap<>(vocabNode.size() * 2);
        int idLimit = 0;
        for (var it = vocabNode.fields(); it.hasNext(); ) {
            var e = it.next();
            int id = e.getValue().asInt(-1);
            if (id < 0) {
                throw new IllegalArgumentException(file + ": vocabulary entry '" + e.getKey() + "' has no valid id");
            }
            vocab.put(e.getKey(), id);
            idLimit = Math.max(idLimit, id + 1);
        }
        List<AddedToken> added = new ArrayList<>();
        for (JsonNode t : root.path("added_tokens")) {
            if (t.path("normalized").asBoolean(false) && !t.path("special").asBoolean(false)) {
                throw new UnsupportedTokenizerException(file + ": added token '" + t.path("content").asText()
                        + "' is matched after normalization, which the pure-Java tokenizer does not do;"
                        + " add the token as special, or use a model whose tokenizer does not match it after normalization");
            }
            AddedToken a = addedToken(t);
            added.add(a);
            idLimit = Math.max(idLimit, a.id() + 1);
        }
        String[] idToToken = new String[idLimit];
        vocab.forEach((token, id) -> idToToken[id] = token);
        for (AddedToken a : added) {
            idToToken[a.id()] = a.content();
        }
        String unk = model.path("unk_token").asText("[UNK]");
        if (!vocab.containsKey(unk)) {
            throw new IllegalArgumentException(file + ": the unknown token '" + unk + "' is not in the vocabulary");
        }
        String prefix = model.path("continuing_subword_prefix").asText("##");
        int maxChars = model.path("max_input_chars_per_word").asInt(100);

        BertNormalizer normalizer = BertNormalizer.fromJson(file, root.path("normalizer"));
        JsonNode pre = root.path("pre_tokenizer");
        if (!pre.isMissingNode() && !pre.isNull() && !pre.path("type").asText().equals("BertPreTokenizer")) {
            throw new UnsupportedTokenizerException(file + ": pre_tokenizer '" + pre.path("type").asText()
                    + "' is not BertPreTokenizer; bert-embed reads WordPiece tokenizers (BertNormalizer, BertPreTokenizer: the BERT family) only");
        }
        TemplatePostProcessor post = TemplatePostProcessor.fromJson(file, root.path("post_processor"));
        WordPieceDecoder decoder = WordPieceDecoder.fromJson(root.path("decoder"), prefix);
        return new TokenizerSpec(vocab, idToToken, unk, prefix, maxChars, normalizer, added, post, decoder,
                FileTruncation.fromJson(root.path("truncation")), FilePadding.fromJson(root.path("padding")));
    }

    /**
     * What our pipeline needs of a tokenizer.json that HuggingFace tokenizers tokenizes ({@link HuggingFaceTokenModel}):
     * the vocabulary of any model type (Unigram's list, BPE's, WordLevel's and WordPiece's maps) with the added
     * tokens, the template, truncation and padding. No normalizer or decoder of ours: the reference does both.
     */
    static TokenizerSpec foreign(Path file) throws IOException {
        JsonNode root;
        try {
            root = JSON.readTree(java.nio.file.Files.readAllBytes(file));
        } catch (JsonProcessingException e) {
            throw new IOException(file + " is not valid JSON: " + e.getOriginalMessage(), e);
        }
        JsonNode model = root.path("model");
        JsonNode vocabNode = model.path("vocab");
        Map<String, Integer> vocab = new HashMap<>();
        if (vocabNode.isArray()) { // Unigram: [token, score] in id order
            for (int id = 0; id < vocabNode.size(); id++) {
                vocab.putIfAbsent(vocabNode.get(id).get(0).asText(), id);
            }
        } else {
            for (var it = vocabNode.fields(); it.hasNext(); ) {
                var e = it.next();
                vocab.put(e.getKey(), e.getValue().asInt());
            }
        }
        int idLimit = vocabNode.isArray() ? vocabNode.size() : vocab.values().stream().mapToInt(v -> v + 1).max().orElse(0);
        List<AddedToken> added = new ArrayList<>();
        for (JsonNode t : root.path("added_tokens")) {
            AddedToken a = addedToken(t);
            added.add(a);
            idLimit = Math.max(idLimit, a.id() + 1);
        }
        String[] idToToken = new String[idLimit];
        vocab.forEach((token, id) -> idToToken[id] = token);
        if (vocabNode.isArray()) { // a piece listed twice keeps both ids
            for (int id = 0; id < vocabNode.size(); id++) {
                idToToken[id] = vocabNode.get(id).get(0).asText();
            }
        }
        for (AddedToken a : added) {
            idToToken[a.id()] = a.content();
        }
        String unk = model.hasNonNull("unk_token") ? model.get("unk_token").asText()
                : model.hasNonNull("unk_id") && model.get("unk_id").asInt() < idLimit
                ? idToToken[model.get("unk_id").asInt()] : null;
        return new TokenizerSpec(vocab, idToToken, unk, null, 0, null, added,
                TemplatePostProcessor.fromJson(file, root.path("post_processor")), null,
                FileTruncation.fromJson(root.path("truncation")), FilePadding.fromJson(root.path("padding")));
    }

    private static AddedToken addedToken(JsonNode t) {
        return new AddedToken(t.path("content").asText(), t.path("id").asInt(), t.path("special").asBoolean(false),
                t.path("lstrip").asBoolean(false), t.path("rstrip").asBoolean(false),
                t.path("single_word").asBoolean(false));
    }

    /** The tokenizer.json's model type ("WordPiece", "Unigram", "BPE", ...), for messages. */
    static String modelType(Path file) {
        try {
            return JSON.readTree(java.nio.file.Files.readAllBytes(file)).path("model").path("type").asText("?");
        } catch (IOException e) {
            return "?";
        }
    }
}
