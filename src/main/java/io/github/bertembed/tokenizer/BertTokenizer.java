package io.github.bertembed.tokenizer;


import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A pure-Java BERT WordPiece tokenizer that gives exactly what HuggingFace tokenizers gives for the same
 * tokenizer.json: BertNormalizer, BertPreTokenizer, WordPiece, the special-token template, truncation, padding,
 * offsets and decoding.
 *
 * <pre>{@code
 * BertTokenizer tokenizer = BertTokenizer.fromModel("all-minilm-l6-v2");
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
    private final WordPieceTrie trie;
    private final BertNormalizer.Table normalization;
    private final boolean handleChineseChars;
    private final AddedTokenMatcher addedTokens;
    private final boolean[] special;
    private final int unknownId;
    private final int padId;
    private final int padTypeId;
    private final String padToken;

    /** Options of one tokenizer; the builder's view. */
    private record Options(int maxLength, TruncationStrategy truncation, boolean truncateFromLeft,
                           PaddingStrategy padding, int padToMultipleOf, boolean addSpecialTokens) {
    }

    private BertTokenizer(TokenizerSpec spec, Options options, WordPieceTrie trie, BertNormalizer.Table table,
                          AddedTokenMatcher matcher) {
        this.spec = spec;
        this.options = options;
        this.trie = trie;
        this.normalization = table;
        this.handleChineseChars = spec.normalizer().handleChineseChars();
        this.addedTokens = matcher;
        this.special = new boolean[spec.idToToken().length];
        for (AddedToken a : spec.addedTokens()) {
            if (a.special()) {
                special[a.id()] = true;
            }
        }
        this.unknownId = spec.vocabulary().get(spec.unknownToken());
        TokenizerSpec.FilePadding p = spec.filePadding();
        Integer vocabPad = spec.vocabulary().get("[PAD]");
        this.padId = p != null ? p.padId() : vocabPad != null ? vocabPad : 0;
        this.padTypeId = p != null ? p.padTypeId() : 0;
        this.padToken = p != null ? p.padToken() : "[PAD]";
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
        Scratch s = new Scratch(text.length() + (pair == null ? 0 : pair.length()));
        Encoding e = encode(text, pair, s);
        return options.padding() == PaddingStrategy.NONE ? e : pad(e, paddedLength(e.length()));
    }

    /** Tokenizes texts in order; with {@link PaddingStrategy#LONGEST} all are padded to the longest. */
    public List<Encoding> encodeBatch(List<String> texts) {
        Scratch s = new Scratch(64);
        List<Encoding> out = new ArrayList<>(texts.size());
        for (String t : texts) {
            out.add(encode(t, null, s));
        }
        return padBatch(out);
    }

    /**
     * Tokenizes a text of any length into overlapping windows of at most {@code maxLength} tokens each, special
     * tokens included: window k holds the text's tokens from {@code k × (W − stride)} on, where W is
     * {@code maxLength} minus the special tokens, and each window carries its own template. A text that fits is
     * one window. Offsets index the whole text, so each window's character span is its first and last real
     * token's offsets. Padding is not applied.
     *
     * @param stride tokens shared by consecutive windows (0 ≤ stride < W)
     */
    public List<Encoding> encodeWindows(String text, int maxLength, int stride) {
        Windows w = windows(text, maxLength, stride);
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
    public Windows windows(String text, int maxLength, int stride) {
        int special = specialTokenCount(false);
        int width = maxLength - special;
        if (width < 1) {
            throw new IllegalArgumentException("max length " + maxLength + " leaves no room beside the " + special
                    + " special tokens");
        }
        if (stride < 0 || stride >= width) {
            throw new IllegalArgumentException("stride must be in [0, " + width + "), got " + stride);
        }
        Scratch s = new Scratch(text.length());
        tokenize(text, s.a, s);
        return new Windows(s.a, width, width - stride);
    }

    /** A text's overlapping windows; immutable once built. */
    public final class Windows {
        private final Sequence tokens;
        private final int width;
        private final int step;
        private final int count;

        private Windows(Sequence tokens, int width, int step) {
            this.tokens = tokens;
            this.width = width;
            this.step = step;
            int n = tokens.ids.size();
            this.count = n <= width ? 1 : 1 + (n - width + step - 1) / step;
        }

        /** Number of windows (at least one). */
        public int count() {
            return count;
        }

        /** The text's tokens, special tokens excluded. */
        public int tokenCount() {
            return tokens.ids.size();
        }

        /** Window k, with its template; offsets index the whole text. */
        public Encoding get(int k) {
            if (k < 0 || k >= count) {
                throw new IndexOutOfBoundsException("window " + k + " of " + count);
            }
            int start = k * step;
            return assembleWindow(tokens, start, Math.min(tokens.ids.size(), start + width));
        }
    }

    private Encoding assembleWindow(Sequence all, int from, int to) {
        Sequence window = new Sequence(to - from);
        for (int i = from; i < to; i++) {
            window.add(all.ids.get(i), all.starts.get(i), all.ends.get(i));
        }
        return assemble(window, null, false);
    }

    /** Tokenizes pairs in order: {@code pairs.get(i)} may be null for a single text. */
    public List<Encoding> encodePairBatch(List<String> texts, List<String> pairs) {
        if (texts.size() != pairs.size()) {
            throw new IllegalArgumentException("texts and pairs differ in size: " + texts.size() + " vs " + pairs.size());
        }
        Scratch s = new Scratch(64);
        List<Encoding> out = new ArrayList<>(texts.size());
        for (int i = 0; i < texts.size(); i++) {
            out.add(encode(texts.get(i), pairs.get(i), s));
        }
        return padBatch(out);
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
        String[] tokens = new String[ids.length];
        int n = 0;
        for (int id : ids) {
            if (id < 0 || id >= spec.idToToken().length || spec.idToToken()[id] == null) {
                throw new IllegalArgumentException("token id " + id + " is outside the vocabulary (0.."
                        + (spec.idToToken().length - 1) + ")");
            }
            if (skipSpecialTokens && special[id]) {
                continue;
            }
            tokens[n++] = spec.idToToken()[id];
        }
        return spec.decoder().decode(tokens, n);
    }

    /** Number of ids (vocabulary and added tokens): every id this tokenizer produces is below it. */
    public int vocabularySize() {
        return spec.idToToken().length;
    }

    /** The id of a token, or -1. */
    public int tokenToId(String token) {
        Integer id = spec.vocabulary().get(token);
        if (id != null) {
            return id;
        }
        for (AddedToken a : spec.addedTokens()) {
            if (a.content().equals(token)) {
                return a.id();
            }
        }
        return -1;
    }

    /** The token of an id. */
    public String idToToken(int id) {
        if (id < 0 || id >= spec.idToToken().length) {
            throw new IllegalArgumentException("token id " + id + " is outside the vocabulary");
        }
        return spec.idToToken()[id];
    }

    /** The vocabulary in id order (null where an id is unused), e.g. to write a vocab.txt. */
    public List<String> vocabulary() {
        return List.of(Arrays.stream(spec.idToToken()).map(t -> t == null ? "" : t).toArray(String[]::new));
    }

    /** The maximum length in tokens, or 0 when there is none. */
    public int maxLength() {
        return options.maxLength();
    }

    public TruncationStrategy truncation() {
        return options.truncation();
    }

    public BertNormalizer normalizer() {
        return spec.normalizer();
    }

    /** Special tokens the template adds around one text (2 for BERT) or a pair (3). */
    public int specialTokenCount(boolean pair) {
        return options.addSpecialTokens() ? spec.postProcessor().addedTokens(pair) : 0;
    }

    // ---------------------------------------------------------------------------------------------------------

    /** Per-call buffers: the word being built and the token stream of each sequence. */
    private static final class Scratch {
        char[] word = new char[64];
        int[] wordStart = new int[64];
        int[] wordEnd = new int[64];
        int wordLength;
        int wordCodePoints;
        final IntBuffer pieces = new IntBuffer(16);
        final int[] match = new int[3];
        final Sequence a;
        final Sequence b = new Sequence(16);
        Sequence current;

        Scratch(int expectedChars) {
            a = new Sequence(Math.max(16, expectedChars / 3));
        }

        void push(char c, int start, int end) {
            if (wordLength == word.length) {
                int size = wordLength * 2;
                word = Arrays.copyOf(word, size);
                wordStart = Arrays.copyOf(wordStart, size);
                wordEnd = Arrays.copyOf(wordEnd, size);
            }
            word[wordLength] = c;
            wordStart[wordLength] = start;
            wordEnd[wordLength] = end;
            wordLength++;
        }
    }

    /** Token ids with their offsets, before the template. */
    private static final class Sequence {
        final IntBuffer ids;
        final IntBuffer starts;
        final IntBuffer ends;

        Sequence(int capacity) {
            ids = new IntBuffer(capacity);
            starts = new IntBuffer(capacity);
            ends = new IntBuffer(capacity);
        }

        void add(int id, int start, int end) {
            ids.add(id);
            starts.add(start);
            ends.add(end);
        }

        void clear() {
            ids.clear();
            starts.clear();
            ends.clear();
        }
    }

    private Encoding encode(String text, String pair, Scratch s) {
        if (text == null) {
            throw new NullPointerException("text");
        }
        tokenize(text, s.a, s);
        if (pair != null) {
            tokenize(pair, s.b, s);
        }
        return assemble(s.a, pair == null ? null : s.b, true);
    }

    private void tokenize(String text, Sequence out, Scratch s) {
        out.clear();
        s.current = out;
        int pos = 0;
        int n = text.length();
        int[] m = s.match;
        while (pos < n && addedTokens.next(text, pos, n, m)) {
            tokenizeSegment(text, pos, m[0], s);
            out.add(m[2], m[0], m[1]);
            pos = m[1];
        }
        tokenizeSegment(text, pos, n, s);
    }

    /** Normalizes, splits and WordPieces {@code text[from, to)} in one pass. */
    private void tokenizeSegment(String text, int from, int to, Scratch s) {
        int i = from;
        while (i < to) {
            char ch = text.charAt(i);
            int next = i + 1;
            if (ch < 0x80) {
                int m = normalization.single(ch);
                if (m >= 0) {
                    pushNormalized((char) m, i, next, s);
                }
                i = next;
                continue;
            }
            int cp = ch;
            if (Character.isSurrogate(ch)) {
                if (Character.isHighSurrogate(ch) && next < to && Character.isLowSurrogate(text.charAt(next))) {
                    cp = Character.toCodePoint(ch, text.charAt(next));
                    next++;
                } else {
                    cp = 0xFFFD; // a lone surrogate, as the reference sees it after UTF-8 conversion
                }
            }
            if (handleChineseChars && CharClasses.isCjkIdeograph(cp)) {
                flushWord(s);
                pushMapped(cp, i, next, s);
                flushWord(s);
            } else {
                pushMapped(cp, i, next, s);
            }
            i = next;
        }
        flushWord(s);
    }

    private void pushMapped(int cp, int start, int end, Scratch s) {
        String mapped;
        if (cp < 0x10000) {
            int m = normalization.single((char) cp);
            if (m >= 0) {
                pushNormalized((char) m, start, end, s);
                return;
            }
            if (m == BertNormalizer.Table.DELETED) {
                return;
            }
            mapped = normalization.multi(m);
        } else {
            mapped = normalization.supplementary(cp);
        }
        for (int k = 0; k < mapped.length(); ) {
            int c = mapped.codePointAt(k);
            if (c < 0x10000) {
                pushNormalized((char) c, start, end, s);
                k++;
            } else {
                byte kind = CharClasses.kindOf(c);
                if (kind == CharClasses.SPACE) {
                    flushWord(s);
                } else {
                    if (kind == CharClasses.PUNCT) {
                        flushWord(s);
                    }
                    s.push(Character.highSurrogate(c), start, end);
                    s.push(Character.lowSurrogate(c), start, end);
                    s.wordCodePoints++;
                    if (kind == CharClasses.PUNCT) {
                        flushWord(s);
                    }
                }
                k += 2;
            }
        }
    }

    /** One normalized BMP character: extends the word, ends it, or is a word of its own. */
    private void pushNormalized(char c, int start, int end, Scratch s) {
        byte kind = CharClasses.kind(c);
        if (kind == CharClasses.WORD) {
            s.push(c, start, end);
            s.wordCodePoints++;
        } else if (kind == CharClasses.SPACE) {
            flushWord(s);
        } else {
            flushWord(s);
            s.push(c, start, end);
            s.wordCodePoints++;
            flushWord(s);
        }
    }

    private void flushWord(Scratch s) {
        int length = s.wordLength;
        if (length == 0) {
            return;
        }
        Sequence out = s.current;
        if (s.wordCodePoints > spec.maxInputCharsPerWord()) {
            out.add(unknownId, s.wordStart[0], s.wordEnd[length - 1]);
        } else {
            s.pieces.clear();
            if (trie.tokenize(s.word, 0, length, s.pieces)) {
                int pos = 0;
                for (int k = 0; k < s.pieces.size(); k++) {
                    int id = s.pieces.get(k);
                    int last = pos + trie.pieceLength(id) - 1;
                    out.add(id, s.wordStart[pos], s.wordEnd[last]);
                    pos = last + 1;
                }
            } else {
                out.add(unknownId, s.wordStart[0], s.wordEnd[length - 1]);
            }
        }
        s.wordLength = 0;
        s.wordCodePoints = 0;
    }

    /** Truncation, then the template. */
    private Encoding assemble(Sequence a, Sequence b, boolean truncate) {
        boolean isPair = b != null;
        int la = a.ids.size();
        int lb = isPair ? b.ids.size() : 0;
        int keepA = la;
        int keepB = lb;
        if (truncate && options.truncation() != TruncationStrategy.NONE && options.maxLength() > 0) {
            int max = options.maxLength() - specialTokenCount(isPair);
            if (max < 0) {
                throw new IllegalArgumentException("max length " + options.maxLength() + " is shorter than the "
                        + specialTokenCount(isPair) + " special tokens the template adds");
            }
            if (max == 0) {
                keepA = 0; // the reference's special case: nothing of either text fits, whatever the strategy
                keepB = 0;
            } else if (la + lb > max) {
                int[] kept = truncatedLengths(la, lb, isPair, max);
                keepA = kept[0];
                keepB = kept[1];
            }
        }
        boolean left = options.truncateFromLeft();
        int fromA = left ? la - keepA : 0;
        int fromB = left ? lb - keepB : 0;

        List<TemplatePostProcessor.Piece> template = isPair ? spec.postProcessor().pair() : spec.postProcessor().single();
        int length = 0;
        for (TemplatePostProcessor.Piece p : template) {
            if (p.isSequence()) {
                length += p.sequence() == 'A' ? keepA : keepB;
            } else if (options.addSpecialTokens()) {
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
        String[] vocab = spec.idToToken();
        for (TemplatePostProcessor.Piece p : template) {
            if (p.isSequence()) {
                boolean isA = p.sequence() == 'A';
                Sequence seq = isA ? a : b;
                int from = isA ? fromA : fromB;
                int count = isA ? keepA : keepB;
                for (int j = from; j < from + count; j++, k++) {
                    int id = seq.ids.get(j);
                    ids[k] = id;
                    types[k] = p.typeId();
                    mask[k] = 1;
                    tokens[k] = vocab[id];
                    offsets[k] = new int[] {seq.starts.get(j), seq.ends.get(j)};
                }
            } else if (options.addSpecialTokens()) {
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
        return new Encoding(ids, types, mask, specialMask, tokens, offsets, (la - keepA) + (lb - keepB));
    }

    /** How many tokens of each sequence survive, as HuggingFace's truncate_encodings decides. */
    private int[] truncatedLengths(int la, int lb, boolean isPair, int max) {
        int toRemove = la + lb - max;
        switch (options.truncation()) {
            case LONGEST_FIRST -> {
                if (!isPair) {
                    return new int[] {max, 0};
                }
                int n1 = la;
                int n2 = lb;
                boolean swap = n1 > n2;
                if (swap) {
                    n1 = lb;
                    n2 = la;
                }
                n2 = n1 > max ? n1 : Math.max(n1, max - n1);
                if (n1 + n2 > max) {
                    n1 = max / 2;
                    n2 = n1 + max % 2;
                }
                return swap ? new int[] {Math.min(la, n2), Math.min(lb, n1)} : new int[] {Math.min(la, n1), Math.min(lb, n2)};
            }
            case ONLY_FIRST -> {
                if (la <= toRemove) {
                    throw new IllegalArgumentException("text too long for only_first truncation: the first text has "
                            + la + " tokens but " + toRemove + " must go to fit max length " + options.maxLength());
                }
                return new int[] {la - toRemove, lb};
            }
            case ONLY_SECOND -> {
                if (!isPair) {
                    throw new IllegalArgumentException("only_second truncation needs a pair of texts, and this text ("
                            + la + " tokens) exceeds max length " + options.maxLength());
                }
                if (lb <= toRemove) {
                    throw new IllegalArgumentException("text too long for only_second truncation: the second text has "
                            + lb + " tokens but " + toRemove + " must go to fit max length " + options.maxLength());
                }
                return new int[] {la, lb - toRemove};
            }
            default -> {
                return new int[] {la, lb};
            }
        }
    }

    private List<Encoding> padBatch(List<Encoding> encodings) {
        if (options.padding() == PaddingStrategy.NONE) {
            return encodings;
        }
        int longest = 0;
        for (Encoding e : encodings) {
            longest = Math.max(longest, e.length());
        }
        int target = options.padding() == PaddingStrategy.LONGEST ? roundUp(longest) : paddedLength(longest);
        List<Encoding> out = new ArrayList<>(encodings.size());
        for (Encoding e : encodings) {
            out.add(options.padding() == PaddingStrategy.LONGEST ? pad(e, target) : pad(e, paddedLength(e.length())));
        }
        return out;
    }

    private int paddedLength(int length) {
        if (options.padding() == PaddingStrategy.MAX_LENGTH && options.maxLength() > 0) {
            return roundUp(Math.max(length, options.maxLength()));
        }
        return roundUp(length);
    }

    private int roundUp(int length) {
        int m = options.padToMultipleOf();
        return m > 1 && length % m != 0 ? (length / m + 1) * m : length;
    }

    private Encoding pad(Encoding e, int target) {
        int n = e.length();
        if (n >= target) {
            return e;
        }
        int[] ids = Arrays.copyOf(e.ids(), target);
        int[] types = Arrays.copyOf(e.typeIds(), target);
        int[] mask = Arrays.copyOf(e.attentionMask(), target);
        int[] specialMask = Arrays.copyOf(e.specialTokensMask(), target);
        String[] tokens = Arrays.copyOf(e.tokens(), target);
        int[][] offsets = Arrays.copyOf(e.offsets(), target);
        for (int i = n; i < target; i++) {
            ids[i] = padId;
            types[i] = padTypeId;
            specialMask[i] = 1;
            tokens[i] = padToken;
            offsets[i] = new int[] {0, 0};
        }
        return new Encoding(ids, types, mask, specialMask, tokens, offsets, e.truncatedTokens());
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
            WordPieceTrie trie;
            BertNormalizer.Table table;
            AddedTokenMatcher matcher;
            if (base != null) {
                spec = base.spec;
                trie = base.trie;
                table = base.normalization;
                matcher = base.addedTokens;
            } else {
                try {
                    spec = TokenizerSpec.read(file, vocabNormalizer);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot read tokenizer " + file + ": " + e.getMessage(), e);
                }
                trie = new WordPieceTrie(spec.vocabulary(), spec.continuationPrefix(), spec.idToToken().length);
                table = spec.normalizer().table();
                matcher = new AddedTokenMatcher(spec.addedTokens());
            }
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
            return new BertTokenizer(spec, options, trie, table, matcher);
        }
    }

    @Override
    public String toString() {
        return "BertTokenizer[vocabulary=" + vocabularySize() + ", " + spec.normalizer() + ", " + options + "]";
    }
}
