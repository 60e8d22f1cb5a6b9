package io.github.bertembed.cli;

import io.github.bertembed.model.Models;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** The options every model-using command shares. */
final class ModelOptions {
    @Option(names = {"--model", "--model-id"}, paramLabel = "NAME|DIR|JAR", defaultValue = Models.DEFAULT,
            description = "Model name (${COMPLETION-CANDIDATES}: from a models folder or a model jar on the"
                    + " classpath), a model folder, or a model jar; default: ${DEFAULT-VALUE}. --model-id is TEI's"
                    + " name for it.",
            completionCandidates = KnownModels.class)
    String model;

    @Option(names = "--models-dir", paramLabel = "DIR",
            description = "Folder holding named models (also: environment variable BERT_EMBED_MODELS).")
    Path modelsDir;

    Path folder() {
        return Models.resolve(model, modelsDir);
    }

    /** The known names, for help text. */
    static final class KnownModels implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return Models.KNOWN.iterator();
        }
    }
}
