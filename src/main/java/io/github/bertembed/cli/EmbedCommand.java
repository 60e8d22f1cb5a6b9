package io.github.bertembed.cli;

import io.github.bertembed.SentenceEmbedder;
import io.github.bertembed.batch.DocumentEmbedder;
import io.github.bertembed.batch.DocumentResult;
import io.github.bertembed.LongTextPolicy;
import io.github.bertembed.TextTooLongException;
import io.github.bertembed.batch.Precision;
import io.github.bertembed.batch.VectorFormat;
import io.github.bertembed.batch.VectorQuantizer;
import io.github.bertembed.batch.VectorWriter;
import io.github.bertembed.pooling.VectorMath;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Callable;

/** {@code embed}: sentence vectors of texts from arguments, a file or stdin. */
@Command(name = "embed", mixinStandardHelpOptions = true,
        description = {"Embed texts: the TEXT arguments, or one text per line of --input (or stdin); a .jsonl input"
                + " has one {\"text\": ...} object per line.",
                "JSONL output: {\"index\":i,\"embedding\":[...],\"tokens\":n,\"truncated\":bool,\"chunks\":c} per text,"
                        + " in order (with --long-text chunks: one line per window with \"chunk\", \"start\", \"end\");"
                        + " CSV: a header line, then the same fields and e0,e1,...",
                "An --output file is written as FILE.partial and moved into place when complete; a stopped run"
                        + " keeps the .partial file, which --resume continues.",
                "Memory stays constant whatever the input size; a progress bar shows on a terminal."})
final class EmbedCommand implements Callable<Integer> {
    @Mixin
    EmbedderOptions embedder;

    @Mixin
    InputOutputOptions files;

    @Option(names = "--format", paramLabel = "FORMAT",
            description = "jsonl, npy or csv (default: from the output file's extension, else jsonl).")
    VectorFormat format;

    @Option(names = "--long-text", paramLabel = "POLICY", defaultValue = "truncate",
            description = "Texts over --max-length: truncate (default; records say \"truncated\": true), refuse"
                    + " (stop with an error naming the text), chunk (windows combined by token-weighted mean) or"
                    + " chunks (one vector per window).")
    LongTextPolicy longText;

    @Option(names = "--stride", paramLabel = "N", description = "Tokens shared by consecutive windows (default: an"
            + " eighth of the window).")
    Integer stride;

    @Option(names = "--id-field", paramLabel = "NAME", description = "Copy each JSONL input record's NAME field"
            + " (string or number) into its output record as \"id\".")
    String idField;

    @Option(names = "--include-text", description = "Copy each input text (a window's own text with --long-text"
            + " chunks) into its output record as \"text\".")
    boolean includeText;

    @Option(names = "--dimensions", paramLabel = "N", description = "Keep the first N components of each vector"
            + " and re-normalize (Matryoshka models; as the server's \"dimensions\").")
    Integer dimensions;

    @Option(names = "--precision", paramLabel = "P", defaultValue = "float32", description = "float32 (default),"
            + " float16, int8, uint8, binary or ubinary, as sentence-transformers' quantize_embeddings; int8 and"
            + " uint8 take their per-dimension ranges from --calibration.")
    String precision;

    @Option(names = "--calibration", paramLabel = "FILE", description = "Texts (one a line, or .jsonl) whose"
            + " vectors give int8 and uint8 their per-dimension ranges (min and max).")
    Path calibration;

    @Option(names = "--prompt", paramLabel = "TEXT", description = "Put TEXT before every input (e.g. \"query: \""
            + " for e5); records keep the input's own text and spans.")
    String prompt;

    @Option(names = "--prompt-name", paramLabel = "NAME", description = "Put the model's prompt of that name"
            + " (config_sentence_transformers.json, e.g. query) before every input, as the server's prompt_name.")
    String promptName;

    @Option(names = "--skip-bad-lines", description = "Report unreadable or malformed input lines on stderr and go on.")
    boolean skipBadLines;

    @Option(names = "--pair", description = "Inputs are pairs (TAB-separated, or JSONL \"text_pair\"), embedded as"
            + " [CLS] A [SEP] B [SEP] with longest_first truncation.")
    boolean pair;

    @Option(names = "--resume", description = "Continue an interrupted run: keep the complete records already in"
            + " --output's .partial file (or --output itself) and skip that many input documents.")
    boolean resume;

    @Option(names = "--no-progress", description = "Never show the progress bar.")
    boolean noProgress;

    @Parameters(paramLabel = "TEXT", arity = "0..*", description = "Texts to embed.")
    List<String> texts = new ArrayList<>();

    /** The prompt put before every input ("" for none). */
    private String prefix = "";

    @Override
    public Integer call() throws Exception {
        Path input = files.input;
        Path output = files.output;
        VectorFormat f = format != null ? format
                : output != null ? VectorFormat.forFile(output.getFileName().toString()) : VectorFormat.JSONL;
        LongTextPolicy policy = longText;
        boolean perChunk = policy == LongTextPolicy.CHUNKS;
        if (resume && output == null) {
            throw new IllegalArgumentException("--resume needs --output FILE");
        }
        Precision p = Precision.named(precision);
        if (p.needsRanges() && calibration == null) {
            throw new IllegalArgumentException("--precision " + precision + " needs --calibration FILE: texts whose"
                    + " vectors give each dimension its range");
        }
        if (idField != null && !texts.isEmpty()) {
            throw new IllegalArgumentException("--id-field reads JSONL --input; TEXT arguments have no ids");
        }
        try (SentenceEmbedder model = embedder.open()) {
            if (dimensions != null && (dimensions < 1 || dimensions > model.dimension())) {
                throw new IllegalArgumentException("--dimensions must be from 1 to " + model.dimension() + " for "
                        + model.location().name() + ", got " + dimensions);
            }
            prefix = prompt(model);
            VectorWriter.Layout layout = new VectorWriter.Layout(quantizer(model, p), idField != null, includeText);
            layout.check(f); // before anything is written
            OutputFile target = output == null ? null : new OutputFile(output);
            VectorWriter.Resumed resumed = resume ? VectorWriter.resume(target.resumable(), f, perChunk, layout) : null;
            long skip = resumed == null ? 0 : resumed.documents();
            VectorWriter out = resumed != null ? resumed.writer() : open(target, f, layout);
            Thread interruption = target == null ? null : target.onInterrupt(out);
            try (InputRecords records = texts.isEmpty() ? InputRecords.open(input, pair, idField) : null) {
                if (pair) {
                    if (records == null) {
                        throw new IllegalArgumentException("--pair reads pairs from --input or stdin, not from arguments");
                    }
                    embedPairs(model, records, out, skip);
                } else {
                    embedTexts(model, records, out, skip, input, output, policy);
                }
            } catch (RuntimeException | IOException e) {
                out.close();
                String kept = target == null ? "" : target.finish(false, out.count(), interruption);
                String message = e instanceof TextTooLongException t
                        ? "input text " + (skip + t.index() + 1) + " has " + t.tokens() + " tokens, over the maximum"
                        + " length of " + t.maxLength() + " (--long-text refuse; truncate, chunk or chunks would take it)"
                        : e.getMessage() == null ? e.toString() : e.getMessage();
                throw new IllegalArgumentException(message + kept, e);
            }
            out.close();
            if (target != null) {
                target.finish(true, out.count(), interruption);
            }
        }
        return 0;
    }

    /** What goes before every input: --prompt, or the model's prompt named by --prompt-name, or nothing. */
    private String prompt(SentenceEmbedder model) {
        if (prompt != null && promptName != null) {
            throw new IllegalArgumentException("give --prompt or --prompt-name, not both");
        }
        if (promptName == null) {
            return prompt == null ? "" : prompt;
        }
        String named = model.prompts().get(promptName);
        if (named == null) {
            throw new IllegalArgumentException("model " + model.location().name() + " has no prompt named '" + promptName
                    + "'" + (model.prompts().isEmpty() ? " (its folder has no config_sentence_transformers.json prompts)"
                    : "; its prompts: " + String.join(", ", model.prompts().keySet())));
        }
        return named;
    }

    /** A new writer; a file that cannot be written is named as the user named it, not by its .partial name. */
    private static VectorWriter open(OutputFile target, VectorFormat f, VectorWriter.Layout layout) throws IOException {
        if (target == null) {
            return VectorWriter.open(null, f, System.out, layout);
        }
        try {
            return VectorWriter.open(target.partial(), f, null, layout);
        } catch (IOException e) {
            throw new IOException(e.getMessage().replace(target.partial().toString(), target.output().toString()), e);
        }
    }

    private VectorQuantizer quantizer(SentenceEmbedder model, Precision p) throws IOException {
        if (!p.needsRanges()) {
            return VectorQuantizer.of(p);
        }
        List<String> samples = new ArrayList<>();
        try (InputRecords r = InputRecords.open(calibration, false)) {
            while (r.hasNext()) {
                samples.add(r.next().text());
            }
        }
        if (samples.isEmpty()) {
            throw new IllegalArgumentException("--calibration " + calibration + " has no texts");
        }
        List<float[]> vectors = new ArrayList<>(samples.size());
        for (float[] v : model.embedAll(samples)) {
            vectors.add(cut(model, v));
        }
        return VectorQuantizer.calibrated(p, vectors);
    }

    /** The first {@code --dimensions} components, re-normalized when the model normalizes. */
    private float[] cut(SentenceEmbedder model, float[] v) {
        if (dimensions == null || v == null || dimensions == v.length) {
            return v;
        }
        float[] out = java.util.Arrays.copyOf(v, dimensions);
        if (model.normalizes()) {
            VectorMath.normalize(out);
        }
        return out;
    }

    /** The record as written: numbered after the skipped ones, cut to --dimensions, spans in the input's own text. */
    private DocumentResult cut(SentenceEmbedder model, DocumentResult r, long skip) {
        if (dimensions == null && skip == 0 && prefix.isEmpty()) {
            return r;
        }
        int shift = prefix.length();
        List<DocumentResult.Chunk> chunks = new ArrayList<>(r.chunks().size());
        for (DocumentResult.Chunk c : r.chunks()) {
            chunks.add(new DocumentResult.Chunk(Math.max(0, c.start() - shift), Math.max(0, c.end() - shift),
                    c.tokens(), cut(model, c.vector())));
        }
        return new DocumentResult(r.index() + skip, cut(model, r.vector()), r.tokens(), r.truncated(), chunks);
    }

    private void embedTexts(SentenceEmbedder model, InputRecords records, VectorWriter out, long skip, Path input,
                            Path output, LongTextPolicy policy) throws IOException {
        boolean perChunk = policy == LongTextPolicy.CHUNKS;
        DocumentEmbedder documents = new DocumentEmbedder(model, policy,
                stride != null ? stride : DocumentEmbedder.defaultStride(model));
        // Ids and texts wait here, in input order, until their results come out (the reader runs ahead by a window).
        Queue<InputRecords.Record> pending = new ConcurrentLinkedQueue<>();
        Iterator<InputRecords.Record> source = records == null
                ? texts.stream().map(t -> new InputRecords.Record(0, t, null, null)).iterator()
                : new Lines(records, skipBadLines);
        Iterator<String> textsInOrder = queued(source, skip, output, pending, prefix);
        long[] cut = new long[2]; // documents truncated, documents chunked
        String summary;
        try (ProgressBar bar = progressBar(input, records != null, skip)) {
            long start = System.nanoTime();
            DocumentEmbedder.Progress done = documents.embed(textsInOrder, r -> {
                InputRecords.Record from = pending.remove();
                cut[0] += r.truncated() ? 1 : 0;
                cut[1] += r.chunks().size() > 1 ? 1 : 0;
                try {
                    out.write(cut(model, r, skip), perChunk, from.id(), from.text());
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot write " + (output == null ? "output" : output) + ": "
                            + e.getMessage(), e);
                }
            }, p -> {
                if (bar != null) {
                    bar.stepTo(skip + p.documents()); // after every encoder run
                }
            });
            if (bar != null) {
                bar.stepTo(skip + done.documents());
            }
            summary = summary(done, cut[0], cut[1], (System.nanoTime() - start) / 1e9);
        }
        System.err.println(summary); // after the bar's last line
    }

    /**
     * The texts of {@code source} after its first {@code skip} records (said on stderr), the prompt before each,
     * each record queued on {@code pending}, in input order, until its result comes out.
     */
    static Iterator<String> queued(Iterator<InputRecords.Record> source, long skip, Object output,
                                   Queue<InputRecords.Record> pending, String prompt) {
        for (long i = 0; i < skip && source.hasNext(); i++) {
            source.next();
        }
        if (skip > 0) {
            System.err.println("resuming after " + skip + " documents already in " + output);
        }
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return source.hasNext();
            }

            @Override
            public String next() {
                InputRecords.Record r = source.next();
                pending.add(r);
                return prompt + r.text();
            }
        };
    }

    /** The run in one line, for logs (a terminal has the progress bar): texts, tokens, what was cut, time, speed. */
    static String summary(DocumentEmbedder.Progress done, long truncated, long chunked, double seconds) {
        return String.format("embedded %,d text%s (%,d tokens; %,d truncated, %,d chunked) in %.1f s, %,.1f texts/s",
                done.documents(), done.documents() == 1 ? "" : "s", done.tokens(), truncated, chunked, seconds,
                done.documents() / Math.max(1e-9, seconds));
    }

    /** Pairs go through the batched pair path: truncation (longest_first) is the policy, and records say so. */
    private void embedPairs(SentenceEmbedder model, InputRecords records, VectorWriter out, long skip) throws IOException {
        for (long i = 0; i < skip && records.hasNext(); i++) {
            records.next();
        }
        List<String> a = new ArrayList<>();
        List<String> b = new ArrayList<>();
        List<Object> ids = new ArrayList<>();
        long index = skip;
        while (true) {
            boolean more = records.hasNext();
            if (more) {
                InputRecords.Record r = records.next();
                a.add(prefix + r.text());
                b.add(r.pair());
                ids.add(r.id());
            }
            if (a.size() == 256 || (!more && !a.isEmpty())) {
                List<io.github.bertembed.Embedding> vectors = model.embedDetailed(a, b);
                for (int i = 0; i < vectors.size(); i++) {
                    io.github.bertembed.Embedding e = vectors.get(i);
                    float[] v = cut(model, e.vector());
                    out.write(new DocumentResult(index++, v, e.tokens(), e.truncated(),
                            List.of(new DocumentResult.Chunk(0, 0, e.tokens(), v))), false, ids.get(i),
                            a.get(i).substring(prefix.length()) + "\t" + b.get(i));
                }
                a.clear();
                b.clear();
                ids.clear();
            }
            if (!more) {
                return;
            }
        }
    }

    /**
     * Documents embedded, of the input file's records when there is a file (counted up front, one pass over its
     * bytes), with speed and ETA; on stderr, and only on a terminal.
     */
    private ProgressBar progressBar(Path input, boolean fromRecords, long skip) throws IOException {
        if (noProgress || System.console() == null) {
            return null; // quiet when output is not a terminal
        }
        long total = input != null && fromRecords ? InputRecords.count(input) : -1;
        return progressBar(System.err, terminalWidth(System.getenv("COLUMNS")), total, skip);
    }

    /**
     * The bar itself, drawn on {@code err} within {@code width} columns: no task name, no extra message and whole
     * docs/s, so that percentage, count, times and speed leave the bar a fifth of an 80-column line.
     */
    static ProgressBar progressBar(java.io.PrintStream err, int width, long total, long skip) {
        return new ProgressBarBuilder().setTaskName("").setStyle(ProgressBarStyle.ASCII)
                .setConsumer(new me.tongfei.progressbar.ConsoleProgressBarConsumer(err, width - 1))
                .setUpdateIntervalMillis(500).showSpeed(new java.text.DecimalFormat("0")).setUnit(" docs", 1)
                .setInitialMax(total)
                .startsFrom(skip, java.time.Duration.ZERO).build();
    }

    /** The terminal's columns as the shell exports them, else 80; never under 40 nor over 160. */
    static int terminalWidth(String columns) {
        try {
            return columns == null ? 80 : Math.max(40, Math.min(160, Integer.parseInt(columns.trim())));
        } catch (NumberFormatException e) {
            return 80;
        }
    }

    /** A byte count in the unit that fits it: 812 B, 410.2 KB, 1.3 GB. */
    static String size(long bytes) {
        String[] units = {"B", "KB", "MB", "GB", "TB"};
        double v = bytes;
        int u = 0;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return u == 0 ? bytes + " B" : String.format("%.1f %s", v, units[u]);
    }

    /** The texts of the input records; with skipping, bad lines are reported and left out. */
    static final class Lines implements Iterator<InputRecords.Record> {
        private final InputRecords records;
        private final boolean skip;

        Lines(InputRecords records, boolean skip) {
            this.records = records;
            this.skip = skip;
        }

        @Override
        public boolean hasNext() {
            while (true) {
                try {
                    return records.hasNext();
                } catch (InputRecords.BadInputException e) {
                    if (!skip) {
                        throw e;
                    }
                    System.err.println("skipped: " + e.getMessage());
                }
            }
        }

        @Override
        public InputRecords.Record next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            InputRecords.Record r = records.next();
            if (r.pair() != null) {
                throw new InputRecords.BadInputException("line " + r.line()
                        + " has a \"text_pair\": embed pairs with --pair (nothing is dropped silently)", null);
            }
            return r;
        }
    }
}
