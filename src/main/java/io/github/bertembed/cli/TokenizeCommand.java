package io.github.bertembed.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.github.bertembed.model.Models;
import io.github.bertembed.tokenizer.BertNormalizer;
import io.github.bertembed.tokenizer.BertTokenizer;
import io.github.bertembed.tokenizer.Encoding;
import io.github.bertembed.tokenizer.PaddingStrategy;
import io.github.bertembed.tokenizer.TruncationStrategy;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code tokenize}: one JSON object of ids, type ids, tokens and offsets per input text. */
@Command(name = "tokenize", mixinStandardHelpOptions = true,
        description = {"Tokenize UTF-8 text: one text per line (TAB-separated pairs with --pair), or JSONL with"
                + " \"text\" (and \"text_pair\") when the input file ends in .jsonl.",
                "Writes one JSON object per input: {\"ids\":[...],\"type_ids\":[...],\"tokens\":[...],"
                        + "\"offsets\":[[start,end],...]} (offsets are UTF-16 indexes into the text).",
                "Neither truncates nor pads unless asked, whatever the tokenizer.json says."})
final class TokenizeCommand implements Callable<Integer> {
    @Mixin
    ModelOptions model;

    @Mixin
    InputOutputOptions files;

    @Option(names = "--pair", description = "Each input is a pair of texts.")
    boolean pair;

    @Option(names = "--max-length", paramLabel = "N", description = "Maximum tokens, special tokens included.")
    Integer maxLength;

    @Option(names = "--truncation", paramLabel = "STRATEGY",
            description = "longest_first (default with --max-length), only_first, only_second or none.")
    String truncation;

    @Option(names = "--padding", paramLabel = "STRATEGY", defaultValue = "none",
            description = "none (default), longest (within --batch-size inputs) or max_length.")
    PaddingStrategy padding;

    @Option(names = "--batch-size", paramLabel = "N", defaultValue = "64",
            description = "Inputs padded together with --padding longest; default ${DEFAULT-VALUE}.")
    int batchSize;

    @Option(names = "--no-special-tokens", description = "Do not add [CLS] and [SEP].")
    boolean noSpecialTokens;

    @Option(names = "--cased", description = "For a vocab.txt model: keep case and accents (default: uncased).")
    boolean cased;

    @Parameters(paramLabel = "TEXT", arity = "0..*", description = "Texts to tokenize (else --input or stdin).")
    List<String> texts = new ArrayList<>();

    @Override
    public Integer call() throws IOException {
        Path input = files.input;
        Path output = files.output;
        Path folder = model.folder();
        BertTokenizer.Builder builder = BertTokenizer.builder(Models.tokenizerFile(folder))
                .vocabNormalizer(cased ? BertNormalizer.cased() : BertNormalizer.uncased())
                .addSpecialTokens(!noSpecialTokens);
        if (maxLength != null) {
            builder.maxLength(maxLength);
        }
        if (truncation != null) {
            builder.truncation(TruncationStrategy.parse(truncation));
        }
        builder.padding(padding);
        BertTokenizer tokenizer = builder.build();

        if (!texts.isEmpty() && (input != null || pair)) {
            throw new IllegalArgumentException("give TEXT arguments or --input (pairs come from --input or stdin)");
        }
        try (InputRecords records = texts.isEmpty() ? InputRecords.open(input, pair) : null;
             OutputStream out = output == null ? new NonClosing(System.out)
                     : new BufferedOutputStream(new FileOutputStream(output.toFile()), 1 << 16);
             JsonGenerator json = new JsonFactory().createGenerator(out)) {
            json.setRootValueSeparator(null);
            List<InputRecords.Record> batch = new ArrayList<>();
            java.util.Iterator<InputRecords.Record> source = records != null ? records
                    : java.util.stream.IntStream.range(0, texts.size())
                    .mapToObj(i -> new InputRecords.Record(i + 1, texts.get(i), null, null)).iterator();
            while (source.hasNext()) {
                batch.add(source.next());
                if (batch.size() >= Math.max(1, batchSize)) {
                    write(tokenizer, batch, json);
                    batch.clear();
                }
            }
            write(tokenizer, batch, json);
        }
        return 0;
    }

    private void write(BertTokenizer tokenizer, List<InputRecords.Record> batch, JsonGenerator json)
            throws IOException {
        if (batch.isEmpty()) {
            return;
        }
        List<String> texts = new ArrayList<>();
        List<String> pairs = new ArrayList<>();
        for (InputRecords.Record r : batch) {
            texts.add(r.text());
            pairs.add(r.pair());
        }
        List<Encoding> encodings;
        try {
            encodings = tokenizer.encodePairBatch(texts, pairs);
        } catch (IllegalArgumentException e) {
            // Find the input that failed, to name its line.
            for (InputRecords.Record r : batch) {
                try {
                    tokenizer.encode(r.text(), r.pair());
                } catch (IllegalArgumentException lineError) {
                    throw new InputRecords.BadInputException("line " + r.line() + ": " + lineError.getMessage(), e);
                }
            }
            throw e;
        }
        for (Encoding e : encodings) {
            json.writeStartObject();
            writeInts(json, "ids", e.ids());
            writeInts(json, "type_ids", e.typeIds());
            json.writeArrayFieldStart("tokens");
            for (String t : e.tokens()) {
                json.writeString(t);
            }
            json.writeEndArray();
            json.writeArrayFieldStart("offsets");
            for (int[] o : e.offsets()) {
                json.writeStartArray();
                json.writeNumber(o[0]);
                json.writeNumber(o[1]);
                json.writeEndArray();
            }
            json.writeEndArray();
            if (e.truncated()) {
                json.writeBooleanField("truncated", true);
            }
            json.writeEndObject();
            json.writeRaw('\n');
        }
        json.flush();
    }

    private static void writeInts(JsonGenerator json, String name, int[] values) throws IOException {
        json.writeFieldName(name);
        json.writeArray(values, 0, values.length);
    }

    /** Standard output, flushed but never closed by the generator. */
    private static final class NonClosing extends java.io.FilterOutputStream {
        NonClosing(OutputStream out) {
            super(new BufferedOutputStream(out, 1 << 16));
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
