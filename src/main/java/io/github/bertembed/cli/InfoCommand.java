package io.github.bertembed.cli;

import io.github.bertembed.SentenceEmbedder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.nio.file.Files;
import java.util.concurrent.Callable;

/** {@code info}: what a model is. */
@Command(name = "info", mixinStandardHelpOptions = true, description = "Describe a model: dimension, layers,"
        + " vocabulary, pooling, maximum length, files.")
final class InfoCommand implements Callable<Integer> {
    @Mixin
    EmbedderOptions embedder;

    @Override
    public Integer call() throws Exception {
        try (SentenceEmbedder model = embedder.open()) {
            var layer = model.inputEmbeddings();
            StringBuilder sb = new StringBuilder();
            var location = model.location();
            var settings = model.settings();
            sb.append("model:            ").append(location.name()).append('\n');
            sb.append("found:            ").append(location.origin()).append('\n');
            if (location.copied()) {
                sb.append("folder:           ").append(location.folder()).append(" (verified copy)\n");
            }
            location.knownModel().ifPresent(k -> sb.append("known model:      ").append(k.language()).append(", ")
                    .append(k.use()).append("; artifact ").append(k.coordinates()).append('\n'));
            sb.append("dimension:        ").append(model.dimension()).append('\n');
            sb.append("layers:           ").append(model.layers()).append('\n');
            sb.append("vocabulary:       ").append(model.tokenizer().vocabularySize()).append(" tokens (token table ")
                    .append(layer.vocabularySize()).append(" rows").append(layer.tokenTable().isQuantized() ? ", int8" : ", fp32")
                    .append(")\n");
            sb.append("positions:        ").append(layer.maxPositions()).append('\n');
            sb.append("max length:       ").append(model.maxLength()).append(" tokens (")
                    .append(settings.maxLengthSource()).append(")\n");
            sb.append("pooling:          ").append(model.head().pooling().stream()
                            .map(p -> p.name().toLowerCase()).collect(java.util.stream.Collectors.joining(" + ")))
                    .append(model.head().pooling().size() > 1 ? " concatenated" : "").append(" (")
                    .append(settings.poolingSource()).append(")\n");
            for (var d : model.head().dense()) {
                sb.append("dense:            ").append(d.in()).append(" → ").append(d.out()).append(", ")
                        .append(d.activation().name().toLowerCase()).append(d.bias() == null ? ", no bias" : "")
                        .append(" (modules.json)\n");
            }
            sb.append("normalize:        ").append(model.normalizes() ? "L2" : "no").append(" (")
                    .append(settings.normalizeSource()).append(")\n");
            sb.append("tokenizer:        ").append(model.tokenizer().description()).append('\n');
            sb.append("graph:            ").append(model.encoderPath()).append('\n');
            sb.append("runs:             ").append(model.quantized()
                    ? "one text per run, in parallel (dynamically quantized int8)"
                    : "length-sorted batches of " + model.batchSize() + (model.packsTokens()
                    ? ", layers on the real tokens only" : ", padded")).append('\n');
            sb.append("files:\n");
            try (var files = Files.list(model.folder())) {
                for (var f : files.sorted().toList()) {
                    if (Files.isRegularFile(f)) {
                        sb.append(String.format("  %-40s %,d bytes%n", f.getFileName(), Files.size(f)));
                    }
                }
            }
            System.out.print(sb);
            System.out.flush();
        }
        return 0;
    }
}
