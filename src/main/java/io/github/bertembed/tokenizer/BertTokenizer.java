package io.github.bertembed.tokenizer;


import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A pure-Java BERT WordPiece tokenizer that gives exactly what HuggingFace tokenizers gives for the same
 * tokenizer.json: BertNormalizer, BertPreTokenizer, WordPiece, the special-token template, truncation, padding,
 * offsets and decoding. The facade over one component per stage, as HuggingFace has them: {@code encode} is
 * (1) {@link SinglePassWordPiece}: normalize, split into words and WordPiece them in one pass ({@link WordPieceModel});
 * (2) {@link Truncation}; (3) {@link TemplatePostProcessor}: the special tokens and type ids; (4) {@link Padding}.
 * {@link Vocabulary} maps ids and tokens, {@link WordPieceDecoder} decodes, and {@link TokenWindows} cuts long
 * texts into overlapping windows.
 *
 * <pre>{@code
 * BertTokenizer tokenizer = BertTokenizer.fromFile(Path.of("onnx-models/all-minilm-l6-v2/tokenizer.json"));
 * Encoding e = tokenizer.encode("Hello, world!");
 * int[] ids = e.ids();                       // [101, 7592, 1010, 2088, 999, 102]
 * BertTokenizer capped = tokenizer.toBuilder().maxLength(128).build();   // longest_first truncation
 * }</pre>
 *
 * <p>Behaviour on unusual input, all matching the reference: control and format characters (zero-width space,
 * BOM, soft hyphen) are deleted; every Unicode space separates words; an empty or whitespace-only text gives just
 * the template's special tokens; a lone surrogate counts as U+FFFD, which is deleted; a word longer than
 * {@code max_input_chars_per_word} (100) code points becomes {@code [UNK]}. Special tokens written in the text
 * ({@code [SEP]}, {@code [MASK]}) are recognised as such. Time is linear in the text length.
 *
 * <p>Immutable and thread-safe: one instance serves any number of threads.
 */
public final class BertTokenizer {
    private final TokenizerSpec spec;
    private final Options options;
    private final Vocabulary vocabulary;
    private final TokenModel splitter;
    private final Truncation truncation;
    private final Padding padding;

    /** Options of one tokenizer; the builder's view. */
    private record Options(int maxLength, TruncationStrategy truncation, boolean truncateFromLeft,
                           PaddingStrategy padding, int padToMultipleOf, boolean addSpecialTokens) {
    }

    private BertTokenizer(TokenizerSpec spec, Options options, Vocabulary vocabulary, TokenModel splitter) {
        this.spec = spec;
        this.options = options;
        this.vocabulary = vocabulary;
        this.splitter = splitter;
        this.truncation = new Truncation(options.maxLength(), options.truncation(), options.truncateFromLeft());
        TokenizerSpec.FilePadding p = spec.filePadding();
        int vocabPad = vocabulary.id("[PAD]");
        this.padding = new Padding(options.padding(), options.padToMultipleOf(), options.maxLength(),
                p != null ? p.padId() : vocabPad >= 0 ? vocabPad : 0, p != null ? p.padTypeId() : 0,
                p != null ? p.padToken() : "[PAD]");
    }

    /**
     * Loads a tokenizer.json (WordPiece) or a vocab.txt (uncased BERT options; use {@link #builder(Path)} for
     * others). Special tokens are added; nothing is truncated or padded.
     */
    public static BertTokenizer fromFile(Path file) {
        return builder(file).build();
    }

    /** Starts a builder for a tokenizer.json or vocab.txt file. */
    public static Builder builder(Path file) {
        return new Builder(file);
    }

    /** A builder with this tokenizer's file and options, to derive a variant cheaply (tables are shared). */
    public Builder toBuilder() {
        Builder b = new Builder(this);
        b.maxLength = options.maxLength();
        b.truncation = options.truncation();
        b.truncateFromLeft = options.truncateFromLeft();
        b.padding = options.padding();
        b.padToMultipleOf = options.padToMultipleOf();
        b.addSpecialTokens = options.addSpecialTokens();
        return b;
    }

    /** Tokenizes one text. */
    public Encoding encode(String text) {
        return encode(text, null);
    }

    /** Tokenizes a pair of texts ({@code [CLS] A [SEP] B [SEP]}); {@code pair} may be null for a single text. */
    public Encoding encode(String text, String pair) {
        SinglePassWordPiece.Scratch s = new SinglePassWordPiece.Scratch(text.length() + (pair == null ? 0 : pair.length()));
        return padding.pad(encode(text, pair, s));
    }

    /** Tokenizes texts in order; with {@link PaddingStrategy#LONGEST} all are padded to the longest. */
    public List<Encoding> encodeBatch(List<String> texts) {
        SinglePassWordPiece.Scratch s = new SinglePassWordPiece.Scratch(64);
        List<Encoding> out = new ArrayList<>(texts.size());
        for (String t : texts) {
            out.add(encode(t, null, s));
        }
        return padding.padBatch(out);
    }

    /**
     * Tokenizes a text of any length into overlapping windows of at most {@code maxLength} tokens each, special
     * tokens included: window k holds the text's tokens from {@code k × (W − stride)} on, where W is
     * {@code maxLength} minus the special tokens, and each window carries its own template. A text that fits is
     * one window. Offsets index the whole text, so each window's character span is its first and last real
     * token's offsets. Padding is not applied.
     *
     * @param stride tokens shared by consecutive windows (0 ≤ stride &lt; W)
     */
    public List<Encoding> encodeWindows(String text, int maxLength, int stride) {
        TokenWindows w = windows(text, maxLength, stride);
        List<Encoding> out = new ArrayList<>(w.count());
        for (int k = 0; k < w.count(); k++) {
            out.add(w.get(k));
        }
        return out;
    }

    /**
     * The windows of {@link #encodeWindows}, built one at a time on request: a huge text costs its token ids and
     * offsets (12 bytes a token), not a materialized encoding per window.
     */
    public TokenWindows windows(String text, int maxLength, int stride) {
        int special = specialTokenCount(false);
        int width = maxLength - special;
        if (width < 1) {
            throw new IllegalArgumentException("max length " + maxLength + " leaves no room beside the " + special
                    + " special tokens");
        }
        if (stride < 0 || stride >= width) {
            throw new IllegalArgumentException("stride must be in [0, " + width + "), got " + stride);
        }
        SinglePassWordPiece.Scratch s = new SinglePassWordPiece.Scratch(text.length());
        splitter.tokenize(text, s.a, s);
        return new TokenWindows(s.a, width, width - stride, spec.postProcessor(), vocabulary,
                options.addSpecialTokens());
    }

    /** Tokenizes pairs in order: {@code pairs.get(i)} may be null for a single text. */
    public List<Encoding> encodePairBatch(List<String> texts, List<String> pairs) {
        if (texts.size() != pairs.size()) {
            throw new IllegalArgumentException("texts and pairs differ in size: " + texts.size() + " vs " + pairs.size());
        }
        SinglePassWordPiece.Scratch s = new SinglePassWordPiece.Scratch(64);
        List<Encoding> out = new ArrayList<>(texts.size());
        for (int i = 0; i < texts.size(); i++) {
            out.add(encode(texts.get(i), pairs.get(i), s));
        }
        return padding.padBatch(out);
    }

    /** The text of the ids, special tokens included (as HuggingFace's {@code decode} does by default). */
    public String decode(int[] ids) {
        return decode(ids, false);
    }

    /**
     * The text of the ids, joined by the WordPiece decoder with its clean-up.
     *
     * @throws IllegalArgumentException for an id outside the vocabulary
     */
    public String decode(int[] ids, boolean skipSpecialTokens) {
        if (splitter instanceof HuggingFaceTokenModel reference) {
            for (int id : ids) {
                vocabulary.checkedToken(id);
            }
            return reference.decode(ids, skipSpecialTokens);
        }
        String[] tokens = new String[ids.length];
        int n = 0;
        for (int id : ids) {
            String token = vocabulary.checkedToken(id);
            if (!(skipSpecialTokens && vocabulary.isSpecial(id))) {
                tokens[n++] = token;
            }
        }
        return spec.decoder().decode(tokens, n);
    }

    /** Number of ids (vocabulary and added tokens): every id this tokenizer produces is below it. */
    public int vocabularySize() {
        return vocabulary.size();
    }

    /** The id of a token, or -1. */
    public int tokenToId(String token) {
        return vocabulary.id(token);
    }

    /** The token of an id. */
    public String idToToken(int id) {
        if (id < 0 || id >= vocabulary.size()) {
            throw new IllegalArgumentException("token id " + id + " is outside the vocabulary");
        }
        return vocabulary.token(id);
    }

    /** The vocabulary in id order ("" where an id is unused), e.g. to write a vocab.txt. */
    public List<String> vocabulary() {
        return vocabulary.list();
    }

    /** The maximum length in tokens, or 0 when there is none. */
    public int maxLength() {
        return options.maxLength();
    }

    public TruncationStrategy truncation() {
        return options.truncation();
    }

    /** The BERT normalizer's options, or null for a tokenizer that HuggingFace tokenizers runs ({@link #description()}). */
    public BertNormalizer normalizer() {
        return spec.normalizer();
    }

    /**
     * What tokenizes, in words: the BERT normalizer's options for our WordPiece, else the model type and that
     * HuggingFace tokenizers (DJL) runs it.
     */
    public String description() {
        return splitter instanceof HuggingFaceTokenModel reference ? reference.type()
                + " (HuggingFace tokenizers via DJL; special tokens, truncation and windows by bert-embed)"
                : "WordPiece (bert-embed), " + spec.normalizer();
    }

    /** Special tokens the template adds around one text (2 for BERT) or a pair (3). */
    public int specialTokenCount(boolean pair) {
        return options.addSpecialTokens() ? spec.postProcessor().addedTokens(pair) : 0;
    }

    // ---------------------------------------------------------------------------------------------------------

    /** The four steps of one encoding: split and WordPiece each text, truncate, apply the template. */
    private Encoding encode(String text, String pair, SinglePassWordPiece.Scratch s) {
        if (text == null) {
            throw new NullPointerException("text");
        }
        splitter.tokenize(text, s.a, s);
        if (pair != null) {
            splitter.tokenize(pair, s.b, s);
        }
        TokenSequence b = pair == null ? null : s.b;
        int la = s.a.size();
        int lb = b == null ? 0 : b.size();
        int[] keep = truncation.keep(la, lb, b != null, specialTokenCount(b != null));
        boolean left = truncation.fromLeft();
        return spec.postProcessor().assemble(s.a, left ? la - keep[0] : 0, keep[0], b, left ? lb - keep[1] : 0, keep[1],
                options.addSpecialTokens(), vocabulary, (la - keep[0]) + (lb - keep[1]));
    }

    // ---------------------------------------------------------------------------------------------------------

    /**
     * Options for a tokenizer. By default special tokens are added and nothing is truncated or padded, whatever
     * the file's own truncation and padding sections say; {@link #useFileSettings()} applies those sections.
     */
    public static final class Builder {
        private final Path file;
        private final BertTokenizer base;
        private BertNormalizer vocabNormalizer = BertNormalizer.uncased();
        private int maxLength;
        private TruncationStrategy truncation;
        private boolean truncateFromLeft;
        private PaddingStrategy padding = PaddingStrategy.NONE;
        private int padToMultipleOf;
        private boolean addSpecialTokens = true;
        private boolean useFileSettings;

        private Builder(Path file) {
            this.file = file;
            this.base = null;
        }

        private Builder(BertTokenizer base) {
            this.file = null;
            this.base = base;
        }

        /** Maximum length in tokens, special tokens included; also turns on longest_first truncation. */
        public Builder maxLength(int maxLength) {
            if (maxLength < 0) {
                throw new IllegalArgumentException("max length must be >= 0, got " + maxLength);
            }
            this.maxLength = maxLength;
            return this;
        }

        /** The truncation strategy (default longest_first once a max length is set). */
        public Builder truncation(TruncationStrategy truncation) {
            this.truncation = truncation;
            return this;
        }

        /** Cut from the start instead of the end. */
        public Builder truncateFromLeft(boolean fromLeft) {
            this.truncateFromLeft = fromLeft;
            return this;
        }

        public Builder padding(PaddingStrategy padding) {
            this.padding = padding;
            return this;
        }

        public Builder padToMultipleOf(int multiple) {
            this.padToMultipleOf = multiple;
            return this;
        }

        /** Whether to add the template's special tokens ([CLS], [SEP]); default true. */
        public Builder addSpecialTokens(boolean add) {
            this.addSpecialTokens = add;
            return this;
        }

        /** Normalization for a vocab.txt (default uncased); tokenizer.json files carry their own. */
        public Builder vocabNormalizer(BertNormalizer normalizer) {
            this.vocabNormalizer = normalizer;
            return this;
        }

        /** Applies the tokenizer.json's truncation and padding sections (options set here still win). */
        public Builder useFileSettings() {
            this.useFileSettings = true;
            return this;
        }

        public BertTokenizer build() {
            TokenizerSpec spec;
            Vocabulary vocabulary;
            TokenModel splitter;
            if (base != null) {
                spec = base.spec; // a variant shares the tables
                vocabulary = base.vocabulary;
                splitter = base.splitter;
            } else {
                TokenizerSpec read;
                try {
                    read = TokenizerSpec.read(file, vocabNormalizer);
                } catch (UnsupportedTokenizerException e) {
                    if (!file.getFileName().toString().endsWith(".json")) {
                        throw e;
                    }
                    return foreign(e.getMessage());
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot read tokenizer " + file + ": " + e.getMessage(), e);
                }
                spec = read;
                vocabulary = new Vocabulary(spec.idToToken(), spec.vocabulary(), spec.addedTokens());
                WordPieceTrie trie = new WordPieceTrie(spec.vocabulary(), spec.continuationPrefix(), spec.idToToken().length);
                splitter = new SinglePassWordPiece(spec.normalizer().table(), spec.normalizer().handleChineseChars(),
                        new AddedTokenMatcher(spec.addedTokens()),
                        new WordPieceModel(trie, spec.vocabulary().get(spec.unknownToken()), spec.maxInputCharsPerWord()));
            }
            return finish(spec, vocabulary, splitter);
        }

        /** A tokenizer.json that is not BERT's WordPiece: HuggingFace tokenizers tokenizes, the rest is ours. */
        private BertTokenizer foreign(String whyNotWordPiece) {
            TokenModel reference = HuggingFaceTokenModel.open(file, whyNotWordPiece);
            TokenizerSpec spec;
            try {
                spec = TokenizerSpec.foreign(file);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read tokenizer " + file + ": " + e.getMessage(), e);
            }
            return finish(spec, new Vocabulary(spec.idToToken(), spec.vocabulary(), spec.addedTokens()), reference);
        }

        private BertTokenizer finish(TokenizerSpec spec, Vocabulary vocabulary, TokenModel splitter) {
            int max = maxLength;
            TruncationStrategy strategy = truncation;
            boolean fromLeft = truncateFromLeft;
            PaddingStrategy pad = padding;
            int multiple = padToMultipleOf;
            if (useFileSettings) {
                TokenizerSpec.FileTruncation ft = spec.fileTruncation();
                if (ft != null) {
                    max = max > 0 ? max : ft.maxLength();
                    strategy = strategy != null ? strategy : ft.strategy();
                    fromLeft = fromLeft || ft.fromLeft();
                }
                TokenizerSpec.FilePadding fp = spec.filePadding();
                if (fp != null && pad == PaddingStrategy.NONE) {
                    if (fp.fixedLength() != null) {
                        pad = PaddingStrategy.MAX_LENGTH;
                        max = max > 0 ? max : fp.fixedLength();
                        if (strategy == null) {
                            strategy = TruncationStrategy.NONE;
                        }
                    } else {
                        pad = PaddingStrategy.LONGEST;
                    }
                    multiple = multiple > 0 ? multiple : fp.padToMultipleOf() == null ? 0 : fp.padToMultipleOf();
                }
            }
            if (strategy == null) {
                strategy = max > 0 ? TruncationStrategy.LONGEST_FIRST : TruncationStrategy.NONE;
            }
            Options options = new Options(max, strategy, fromLeft, pad, multiple, addSpecialTokens);
            return new BertTokenizer(spec, options, vocabulary, splitter);
        }
    }

    @Override
    public String toString() {
        return "BertTokenizer[vocabulary=" + vocabularySize() + ", " + spec.normalizer() + ", " + options + "]";
    }
}
