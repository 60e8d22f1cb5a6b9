package io.github.bertembed.model;

import io.github.bertembed.onnx.OnnxModelFile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A model folder's files and what they say: {@code model.onnx}, the tokenizer file ({@code tokenizer.json}, else
 * {@code vocab.txt}) and the sentence-transformers settings beside them.
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
    public static ModelFolder open(ModelLocation location) {
        Path folder = location.folder();
        Path modelFile = folder.resolve("model.onnx");
        if (!Files.isRegularFile(modelFile)) {
            throw new IllegalArgumentException("model folder " + folder + " has no model.onnx"
                    + (Models.isEmpty(folder) ? " (the folder is empty)" : ""));
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
