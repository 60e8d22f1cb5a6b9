package io.github.bertembed.cli;

import io.github.bertembed.SentenceEmbedder;
import io.github.bertembed.batch.DocumentEmbedder;
import io.github.bertembed.batch.DocumentResult;
import io.github.bertembed.batch.LongTextPolicy;
import io.github.bertembed.batch.VectorFormat;
import io.github.bertembed.batch.VectorWriter;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.Callable;

/** {@code embed}: sentence vectors of texts from arguments, a file or stdin. */
@Command(name = "embed", mixinStandardHelpOptions = true,
        description = {"Embed texts: the TEXT arguments, or one text per line of --input (or stdin); a .jsonl input"
                + " has one {\"text\": ...} object per line.",
                "JSONL output: {\"index\":i,\"embedding\":[...],\"tokens\":n,\"truncated\":bool,\"chunks\":c} per text,"
                        + " in order (with --long-text chunks: one line per window with \"chunk\", \"start\", \"end\").",
                "Memory stays constant whatever the input size; a progress bar shows on a terminal."})
final class EmbedCommand implements Callable<Integer> {
    @Mixin
    EmbedderOptions embedder;

    @Mixin
    InputOutputOptions files;

    @Option(names = "--format", paramLabel = "FORMAT",
            description = "jsonl, npy or csv (default: from the output file's extension, else jsonl).")
    VectorFormat format;

    @Option(names = "--long-text", paramLabel = "POLICY", defaultValue = "chunk",
            description = "Texts over --max-length: truncate, chunk (windows combined by token-weighted mean;"
                    + " default) or chunks (one vector per window).")
    LongTextPolicy longText;

    @Option(names = "--stride", paramLabel = "N", description = "Tokens shared by consecutive windows (default: an"
            + " eighth of the window).")
    Integer stride;

    @Option(names = "--skip-bad-lines", description = "Report unreadable or malformed input lines on stderr and go on.")
    boolean skipBadLines;

    @Option(names = "--pair", description = "Inputs are pairs (TAB-separated, or JSONL \"text_pair\"), embedded as"
            + " [CLS] A [SEP] B [SEP] with longest_first truncation.")
    boolean pair;

    @Option(names = "--resume", description = "Continue an interrupted run: keep the complete records already in"
            + " --output and skip that many input documents.")
    boolean resume;

    @Option(names = "--no-progress", description = "Never show the progress bar.")
    boolean noProgress;

    @Parameters(paramLabel = "TEXT", arity = "0..*", description = "Texts to embed.")
    List<String> texts = new ArrayList<>();

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
        VectorWriter.Resumed resumed = resume ? VectorWriter.resume(output, f, perChunk) : null;
        long skip = resumed == null ? 0 : resumed.documents();
        try (SentenceEmbedder model = embedder.open();
             InputRecords records = texts.isEmpty() ? InputRecords.open(input, pair) : null;
             VectorWriter out = resumed != null ? resumed.writer() : VectorWriter.open(output, f, System.out)) {
            if (pair) {
                if (records == null) {
                    throw new IllegalArgumentException("--pair reads pairs from --input or stdin, not from arguments");
                }
                embedPairs(model, records, out, skip);
                return 0;
            }
            DocumentEmbedder documents = new DocumentEmbedder(model, policy,
                    stride != null ? stride : DocumentEmbedder.defaultStride(model));
            Iterator<String> source = records == null ? texts.iterator() : new Lines(records, skipBadLines);
            for (long i = 0; i < skip && source.hasNext(); i++) {
                source.next();
            }
            if (skip > 0) {
                System.err.println("resuming after " + skip + " documents already in " + output);
            }
            long[] cut = new long[2]; // documents truncated, documents chunked
            try (ProgressBar bar = progressBar(input, records != null, skip)) {
                long start = System.nanoTime();
                DocumentEmbedder.Progress done = documents.embed(source, r -> {
                    cut[0] += r.truncated() ? 1 : 0;
                    cut[1] += r.chunks().size() > 1 ? 1 : 0;
                    try {
                        out.write(skip == 0 ? r : new DocumentResult(r.index() + skip, r.vector(), r.tokens(),
                                r.truncated(), r.chunks()), perChunk);
                    } catch (IOException e) {
                        throw new UncheckedIOException("cannot write " + (output == null ? "output" : output) + ": "
                                + e.getMessage(), e);
                    }
                }, p -> {
                    if (bar != null) {
                        // After every encoder run: documents embedded (records reach the file window by window).
                        bar.stepTo(skip + p.documents());
                        bar.setExtraMessage(String.format(" %,.0f tokens/s",
                                p.tokens() / Math.max(1e-9, (System.nanoTime() - start) / 1e9)));
                    }
                });
                if (bar == null) {
                    System.err.println(summary(done, cut[0], cut[1], (System.nanoTime() - start) / 1e9));
                }
            }
        }
        return 0;
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
        long index = skip;
        while (true) {
            boolean more = records.hasNext();
            if (more) {
                InputRecords.Record r = records.next();
                a.add(r.text());
                b.add(r.pair());
            }
            if (a.size() == 256 || (!more && !a.isEmpty())) {
                for (io.github.bertembed.Embedding e : model.embedDetailed(a, b)) {
                    out.write(new DocumentResult(index++, e.vector(), e.tokens(), e.truncated(),
                            List.of(new DocumentResult.Chunk(0, 0, e.tokens(), e.vector()))), false);
                }
                a.clear();
                b.clear();
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
        String task = input == null ? "embed" : "embed " + input.getFileName() + " (" + size(Files.size(input)) + ")";
        return new ProgressBarBuilder().setTaskName(task).setStyle(ProgressBarStyle.ASCII)
                .setConsumer(new me.tongfei.progressbar.ConsoleProgressBarConsumer(System.err))
                .setUpdateIntervalMillis(500).showSpeed().setUnit(" docs", 1).setInitialMax(total)
                .startsFrom(skip, java.time.Duration.ZERO).build();
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
    private static final class Lines implements Iterator<String> {
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
        public String next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            InputRecords.Record r = records.next();
            if (r.pair() != null) {
                throw new InputRecords.BadInputException("line " + r.line()
                        + " has a \"text_pair\": embed pairs with --pair (nothing is dropped silently)", null);
            }
            return r.text();
        }
    }
}
