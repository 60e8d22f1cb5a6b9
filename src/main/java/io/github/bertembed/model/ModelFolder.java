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
        return open(location, null);
    }

    /**
     * Checks the folder's files, with another ONNX file than {@code model.onnx}: one of the variants a Hugging Face
     * repo carries beside it in {@code onnx/} ({@code model_quantized.onnx}, {@code model_O4.onnx}, ...).
     *
     * @param onnxFile a file name (no folder), looked for in the folder, then in its {@code onnx/}; null: model.onnx
     * @throws IllegalArgumentException naming the folder when the graph or the tokenizer is missing, or a name that
     *                                  is not a plain file name
     */
    public static ModelFolder open(ModelLocation location, String onnxFile) {
        Path folder = location.folder();
        String name = onnxFile == null ? "model.onnx" : onnxFile;
        if (name.isEmpty() || name.contains("/") || name.contains("\\") || name.equals("..") || name.equals(".")) {
            throw new IllegalArgumentException("the ONNX file must be a file name such as model_quantized.onnx, not '"
                    + name + "'");
        }
        Path modelFile = folder.resolve(name);
        if (!Files.isRegularFile(modelFile) && Files.isRegularFile(folder.resolve("onnx").resolve(name))) {
            modelFile = folder.resolve("onnx").resolve(name); // a Hugging Face repo as downloaded: exports in onnx/
        }
        if (!Files.isRegularFile(modelFile)) {
            throw new IllegalArgumentException("model folder " + folder + " has no " + name + " (nor onnx/" + name
                    + ")" + (Models.isEmpty(folder) ? " (the folder is empty)" : variants(folder)));
        }
        return new ModelFolder(location, modelFile, Models.tokenizerFile(folder), SentenceTransformersConfig.read(folder));
    }

    /** "; its ONNX files: a.onnx, onnx/b.onnx" for an error message, or "". */
    private static String variants(Path folder) {
        java.util.List<String> names = new java.util.ArrayList<>();
        for (Path dir : new Path[]{folder, folder.resolve("onnx")}) {
            try (var files = Files.list(dir)) {
                files.filter(f -> f.getFileName().toString().endsWith(".onnx"))
                        .forEach(f -> names.add(folder.relativize(f).toString()));
            } catch (IOException | RuntimeException e) {
                // a folder that cannot be listed adds nothing to the message
            }
        }
        java.util.Collections.sort(names);
        return names.isEmpty() ? "" : "; its ONNX files: " + String.join(", ", names);
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
