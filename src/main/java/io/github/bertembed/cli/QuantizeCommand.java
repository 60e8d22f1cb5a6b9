package io.github.bertembed.cli;

import io.github.bertembed.bench.BenchCorpus;
import io.github.bertembed.model.KnownModel;
import io.github.bertembed.quantize.ModelQuantizer;
import io.github.bertembed.quantize.QuantizationReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code quantize}: an int8 model folder of our own from an fp32 model, with its accuracy report. */
@Command(name = "quantize", mixinStandardHelpOptions = true, description = "Write an int8 copy of an fp32 model"
        + " (per-column int8 weights, per-token activations: batch-invariant, batched and packed like fp32) into a"
        + " model folder, and report its cosine to fp32, top-10 agreement, size and speed on calibration texts.")
final class QuantizeCommand implements Callable<Integer> {
    @Mixin
    ModelOptions model;

    @Option(names = "--output", required = true, paramLabel = "DIR", description = "The folder to write (new or empty).")
    Path output;

    @Option(names = "--calibration", paramLabel = "FILE", description = "Texts to measure on: one per line, or JSONL"
            + " with \"text\" (.gz too). Default: the English or Chinese fortunes we ship, by the model's language.")
    Path calibration;

    @Option(names = "--texts", paramLabel = "N", defaultValue = "500", description = "How many calibration texts"
            + " (default ${DEFAULT-VALUE}).")
    int texts;

    @Option(names = "--keep-fp32", paramLabel = "LAYERS", description = "Layers (from 0, comma-separated) whose"
            + " MatMuls stay fp32.")
    String keepFp32;

    @Override
    public Integer call() throws Exception {
        Path corpus = calibration != null ? calibration : defaultCorpus();
        List<String> lines = BenchCorpus.read(corpus, texts);
        QuantizationReport report = ModelQuantizer.quantize(model.model == null ? io.github.bertembed.model.Models.DEFAULT
                : model.model, output, ModelQuantizer.layers(keepFp32), lines);
        System.out.println("wrote " + output.resolve("model.onnx") + " and " + ModelQuantizer.REPORT_FILE);
        System.out.println(report.summary());
        return 0;
    }

    /** The fortunes in the model's language, found as bench finds its corpus. */
    private Path defaultCorpus() {
        boolean chinese = model.model != null && KnownModel.find(model.model).map(k -> k.language().equals("Chinese"))
                .orElse(model.model.toLowerCase(java.util.Locale.ROOT).contains("zh"));
        Path english;
        try {
            english = BenchCorpus.defaultCorpus();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("no calibration texts found beside the jar or in tests/corpora; use"
                    + " --calibration FILE");
        }
        Path file = chinese ? english.resolveSibling("fortunes-zh.jsonl.gz") : english;
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("no calibration texts found at " + file + "; use --calibration FILE");
        }
        return file;
    }
}
