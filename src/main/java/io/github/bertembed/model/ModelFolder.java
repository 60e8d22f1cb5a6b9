package io.github.bertembed.model;

import io.github.bertembed.onnx.OnnxModelFile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A model folder's files and what they say: {@code model.onnx} (or {@code onnx/model.onnx}, where a Hugging Face
 * repo keeps it), the tokenizer file ({@code tokenizer.json}, else {@code vocab.txt}) and the sentence-transformers
 * settings beside them.
 *
 * <pre>{@code
 * ModelFolder folder = ModelFolder.open(Models.locate("all-minilm-l6-v2"));
 * OnnxModelFile graph = folder.readGraph();
 * }</pre>
 *
 * @param location             where the folder is and how it was found
 * @param modelFile            the ONNX graph
 * @param tokenizerFile        tokenizer.json or vocab.txt
 * @param sentenceTransformers pooling, Normalize module and max_seq_length from the folder's files (each may be null)
 */
public record ModelFolder(ModelLocation location, Path modelFile, Path tokenizerFile,
                   SentenceTransformersConfig sentenceTransformers) {

    /**
     * Checks the folder's files.
     *
     * @throws IllegalArgumentException naming the folder when model.onnx or the tokenizer is missing
     */
    /** Where a Hugging Face repo keeps its ONNX export. */
    public static final String HUB_ONNX_FILE = "onnx/model.onnx";

    public static ModelFolder open(ModelLocation location) {
        Path folder = location.folder();
        Path modelFile = folder.resolve("model.onnx");
        if (!Files.isRegularFile(modelFile) && Files.isRegularFile(folder.resolve(HUB_ONNX_FILE))) {
            modelFile = folder.resolve(HUB_ONNX_FILE); // a Hugging Face repo as downloaded: the export in onnx/
        }
        if (!Files.isRegularFile(modelFile)) {
            throw new IllegalArgumentException("model folder " + folder + " has no model.onnx (nor " + HUB_ONNX_FILE
                    + ")" + (Models.isEmpty(folder) ? " (the folder is empty)" : ""));
        }
        return new ModelFolder(location, modelFile, Models.tokenizerFile(folder), SentenceTransformersConfig.read(folder));
    }

    /** The model graph, read and indexed. */
    public OnnxModelFile readGraph() {
        try {
            return OnnxModelFile.read(modelFile);
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }
}
