package io.github.bertembed.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.bertembed.LongTextPolicy;
import io.github.bertembed.SentenceEmbedder;
import io.github.bertembed.TextTooLongException;
import io.github.bertembed.batch.DocumentEmbedder;
import io.github.bertembed.batch.DocumentResult;
import io.github.bertembed.batch.Precision;
import io.github.bertembed.batch.VectorQuantizer;
import io.github.bertembed.search.IndexManifest;
import io.github.bertembed.search.VectorIndex;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code index}: embeds a collection into a search index folder. */
@Command(name = "index", mixinStandardHelpOptions = true,
        description = {"Embed a collection into a search index folder (vectors, ids, texts, manifest) that 'search'"
                + " and 'serve --index' query.",
                "Input as 'embed --input': one text a line, or .jsonl {\"text\": ..., \"id\": ...} records; or vectors"
                        + " 'embed' wrote (--vectors x.npy, with --input giving their records).",
                "The index is checkpointed as it grows: a stopped run continues with --resume."})
final class IndexCommand implements Callable<Integer> {
    private static final int CHECKPOINT_DOCUMENTS = 4096;

    @Mixin
    EmbedderOptions embedder;

    @Option(names = "--input", paramLabel = "FILE", description = "The collection: text lines or .jsonl records.")
    Path input;

    @Option(names = "--output", paramLabel = "DIR", required = true, description = "The index folder to write.")
    Path output;

    @Option(names = "--precision", paramLabel = "P", defaultValue = "float32", description = "What is searched in"
            + " memory: float32 (default, exact), int8 (a quarter of the memory) or binary (a 32nd), as"
            + " sentence-transformers' quantize_embeddings; float32 vectors stay on disk for rescoring.")
    String precision;

    @Option(names = "--calibration", paramLabel = "FILE", description = "int8: texts whose vectors give each"
            + " dimension its range (default: the collection's own vectors).")
    Path calibration;

    @Option(names = "--hnsw", description = "Also build a Lucene HNSW graph, which 'search' then uses.")
    boolean hnsw;

    @Option(names = "--vectors", paramLabel = "FILE", description = "Index vectors already embedded by this model:"
            + " a float32 .npy, or 'embed' JSONL output (\"embedding\", and \"id\" / \"text\" when present); row i"
            + " takes record i of --input, when given.")
    Path vectors;

    @Option(names = "--long-text", paramLabel = "POLICY", defaultValue = "truncate",
            description = "Texts over --max-length: truncate (default), refuse, chunk (one vector, windows"
                    + " combined) or chunks (one row per window, each with its window's text).")
    LongTextPolicy longText;

    @Option(names = "--stride", paramLabel = "N", description = "Tokens shared by consecutive windows.")
    Integer stride;

    @Option(names = "--id-field", paramLabel = "NAME", defaultValue = "id", description = "The JSONL field holding"
            + " each record's id (default ${DEFAULT-VALUE}); records without one are numbered by their line.")
    String idField;

    @Option(names = "--prompt", paramLabel = "TEXT", description = "Text put before every document (default: the"
            + " model's \"document\" or \"passage\" prompt, if it has one).")
    String prompt;

    @Option(names = "--query-prompt", paramLabel = "TEXT", description = "Text put before every query (default:"
            + " the model's \"query\" prompt, if it has one); recorded in the manifest.")
    String queryPrompt;

    @Option(names = "--resume", description = "Continue a stopped run into the same --output: skip the documents"
            + " already indexed.")
    boolean resume;

    @Option(names = "--append", description = "Add the input to the existing index in --output.")
    boolean append;

    @Option(names = "--skip-bad-lines", description = "Report malformed input lines on stderr and go on.")
    boolean skipBadLines;

    @Option(names = "--no-progress", description = "Never show the progress bar.")
    boolean noProgress;

    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public Integer call() throws Exception {
        Precision p = Precision.named(precision);
        if (resume && append) {
            throw new IllegalArgumentException("give --resume or --append, not both");
        }
        if (input == null && vectors == null) {
            throw new IllegalArgumentException("give the collection: --input FILE (or --vectors FILE)");
        }
        try (SentenceEmbedder model = embedder.open()) {
            VectorIndex index = (resume || append) ? existing(model) : create(model, p);
            long skip = resume ? index.manifest().documents() : 0;
            try {
                if (vectors != null) {
                    importVectors(model, index, skip);
                } else {
                    embed(model, index, skip);
                }
                index.commit();
            } catch (TextTooLongException e) {
                index.checkpoint();
                throw new IllegalArgumentException("input text " + (skip + e.index() + 1) + " has " + e.tokens()
                        + " tokens, over the maximum length of " + e.maxLength() + " (--long-text refuse); the "
                        + index.size() + " rows before it are kept: fix the input, then --resume");
            } finally {
                index.close();
            }
            System.err.printf("index %s: %,d rows, %s, %d dimensions, %s in memory%n", output, index.size(),
                    index.manifest().precision(), index.manifest().dimension(),
                    EmbedCommand.size(index.vectorMemoryBytes()));
        }
        return 0;
    }

    private VectorIndex create(SentenceEmbedder model, Precision p) throws IOException {
        String documentPrompt = prompt != null ? prompt
                : model.prompts().getOrDefault("document", model.prompts().getOrDefault("passage", ""));
        String query = queryPrompt != null ? queryPrompt : model.prompts().getOrDefault("query", "");
        // a known model by its name; any other by its folder, so that 'search' finds it again
        String name = model.location().known() != null ? model.location().name()
                : model.location().origin().startsWith("folder ") ? model.folder().toAbsolutePath().toString()
                : embedder.model.model;
        IndexManifest spec = IndexManifest.of(name, model.modelSha256(), model.dimension(),
                model.normalizes(), model.pooling().name().toLowerCase(java.util.Locale.ROOT), model.maxLength(),
                documentPrompt, query, p, hnsw);
        if (p == Precision.INT8 && calibration != null) {
            List<String> samples = new ArrayList<>();
            try (InputRecords r = InputRecords.open(calibration, false)) {
                while (r.hasNext()) {
                    samples.add(documentPrompt + r.next().text());
                }
            }
            if (samples.isEmpty()) {
                throw new IllegalArgumentException("--calibration " + calibration + " has no texts");
            }
            VectorQuantizer q = VectorQuantizer.calibrated(Precision.INT8, model.embedAll(samples));
            spec = spec.withRanges(q.starts(), q.steps());
        } else if (calibration != null) {
            throw new IllegalArgumentException("--calibration gives int8 its ranges; --precision is " + precision);
        }
        return VectorIndex.create(output, spec);
    }

    private VectorIndex existing(SentenceEmbedder model) throws IOException {
        VectorIndex index = VectorIndex.open(output);
        try {
            index.requireModel(model.location().name(), model.modelSha256(), model.dimension());
        } catch (RuntimeException e) {
            index.close();
            throw e;
        }
        return index;
    }

    private void embed(SentenceEmbedder model, VectorIndex index, long skip) throws IOException {
        String documentPrompt = index.manifest().documentPrompt();
        boolean windows = longText == LongTextPolicy.CHUNKS;
        DocumentEmbedder documents = new DocumentEmbedder(model, longText,
                stride != null ? stride : DocumentEmbedder.defaultStride(model));
        Queue<InputRecords.Record> pending = new ConcurrentLinkedQueue<>();
        boolean jsonl = input.getFileName().toString().endsWith(".jsonl");
        try (InputRecords records = InputRecords.open(input, false, jsonl ? idField : null).idWherePresent()) {
            Iterator<String> texts = EmbedCommand.queued(new EmbedCommand.Lines(records, skipBadLines), skip, output,
                    pending, documentPrompt);
            long[] sinceCheckpoint = {0};
            try (ProgressBar bar = noProgress || System.console() == null ? null
                    : EmbedCommand.progressBar(System.err, EmbedCommand.terminalWidth(System.getenv("COLUMNS")),
                    InputRecords.count(input), skip)) {
                long start = System.nanoTime();
                DocumentEmbedder.Progress done = documents.embed(texts, r -> {
                    InputRecords.Record from = pending.remove();
                    Object id = from.id() != null ? from.id() : from.line();
                    if (windows) {
                        List<Object[]> rows = new ArrayList<>();
                        int shift = documentPrompt.length();
                        for (DocumentResult.Chunk c : r.chunks()) {
                            int s = Math.max(0, c.start() - shift);
                            int e = Math.max(s, c.end() - shift);
                            rows.add(new Object[] {id, from.text().substring(s, Math.min(e, from.text().length())),
                                    c.vector()});
                        }
                        index.addDocument(rows);
                    } else {
                        index.add(id, from.text(), r.vector());
                    }
                    if (++sinceCheckpoint[0] == CHECKPOINT_DOCUMENTS) {
                        sinceCheckpoint[0] = 0;
                        try {
                            index.checkpoint();
                        } catch (IOException e) {
                            throw new UncheckedIOException("cannot write " + output + ": " + e.getMessage(), e);
                        }
                    }
                }, pr -> {
                    if (bar != null) {
                        bar.stepTo(skip + pr.documents());
                    }
                });
                System.err.println(EmbedCommand.summary(done, 0, 0, (System.nanoTime() - start) / 1e9));
            }
        }
    }

    /** Rows from an .npy of float32 vectors or from 'embed' JSONL, with the records of --input when given. */
    private void importVectors(SentenceEmbedder model, VectorIndex index, long skip) throws IOException {
        boolean jsonl = input != null && input.getFileName().toString().endsWith(".jsonl");
        try (InputRecords records = input == null ? null
                : InputRecords.open(input, false, jsonl ? idField : null).idWherePresent()) {
            long row = 0;
            Iterator<Object[]> rows = vectors.getFileName().toString().endsWith(".npy") ? npy(vectors)
                    : embedJsonl(vectors);
            while (rows.hasNext()) {
                Object[] r = rows.next();
                InputRecords.Record rec = records != null && records.hasNext() ? records.next() : null;
                if (records != null && rec == null) {
                    throw new IllegalArgumentException(vectors + " has more vectors than " + input + " has records ("
                            + row + ")");
                }
                float[] v = (float[]) r[2];
                if (v.length != model.dimension()) {
                    throw new IllegalArgumentException(vectors + " holds " + v.length + "-dimensional vectors, but "
                            + model.location().name() + " gives " + model.dimension());
                }
                if (row++ < skip) {
                    continue;
                }
                Object id = rec != null && rec.id() != null ? rec.id() : r[0] != null ? r[0]
                        : rec != null ? rec.line() : row - 1;
                index.add(id, rec != null ? rec.text() : (String) r[1], v);
            }
            if (records != null && records.hasNext()) {
                throw new IllegalArgumentException(input + " has more records than " + vectors + " has vectors ("
                        + row + ")");
            }
        }
    }

    private static final Pattern NPY = Pattern.compile(
            "'descr': '<f4', 'fortran_order': False, 'shape': \\((\\d+), (\\d+)\\)");

    /** The rows of a float32 .npy file as {null, null, vector}, read one at a time. */
    static Iterator<Object[]> npy(Path file) throws IOException {
        FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
        ByteBuffer head = ByteBuffer.allocate(10).order(ByteOrder.LITTLE_ENDIAN);
        ch.read(head, 0);
        if (head.get(0) != (byte) 0x93 || head.get(1) != 'N') {
            ch.close();
            throw new IllegalArgumentException(file + " is not a .npy file");
        }
        int length = head.getShort(8) & 0xFFFF;
        ByteBuffer dict = ByteBuffer.allocate(length);
        ch.read(dict, 10);
        Matcher m = NPY.matcher(new String(dict.array(), StandardCharsets.US_ASCII));
        if (!m.find()) {
            ch.close();
            throw new IllegalArgumentException(file + " is not a float32 .npy file of rows ('embed --output x.npy'"
                    + " writes one)");
        }
        long rows = Long.parseLong(m.group(1));
        int d = Integer.parseInt(m.group(2));
        if (ch.size() < 10 + length + rows * d * 4) {
            ch.close();
            throw new IllegalArgumentException(file + " is truncated: its header says " + rows + " rows");
        }
        return new Iterator<>() {
            long row;

            @Override
            public boolean hasNext() {
                if (row >= rows) {
                    try {
                        ch.close();
                    } catch (IOException ignored) {
                        // read-only file: nothing was left unwritten
                    }
                }
                return row < rows;
            }

            @Override
            public Object[] next() {
                ByteBuffer b = ByteBuffer.allocate(d * 4).order(ByteOrder.LITTLE_ENDIAN);
                try {
                    ch.read(b, 10 + length + row * d * 4);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                float[] v = new float[d];
                b.flip().asFloatBuffer().get(v);
                row++;
                return new Object[] {null, null, v};
            }
        };
    }

    private static Iterator<Object[]> embedJsonl(Path file) throws IOException {
        List<Object[]> out = new ArrayList<>();
        long line = 0;
        for (String s : Files.readAllLines(file)) {
            line++;
            if (s.isBlank()) {
                continue;
            }
            JsonNode n = JSON.readTree(s);
            JsonNode e = n.get("embedding");
            if (e == null || !e.isArray()) {
                throw new IllegalArgumentException(file + " line " + line + " has no \"embedding\" array");
            }
            if (n.has("chunk")) {
                throw new IllegalArgumentException(file + " line " + line + " is a window of a text (--long-text"
                        + " chunks): index its records with 'index --input' instead");
            }
            float[] v = new float[e.size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) e.get(i).asDouble();
            }
            JsonNode id = n.get("id");
            JsonNode text = n.get("text");
            out.add(new Object[] {id == null ? null : id.isNumber() ? id.numberValue() : id.asText(),
                    text == null ? null : text.asText(), v});
        }
        return out.iterator();
    }
}
