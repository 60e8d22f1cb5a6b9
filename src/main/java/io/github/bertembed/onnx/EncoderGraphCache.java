package io.github.bertembed.onnx;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * Cut encoder graphs on disk, so a model file is cut (and its rewrite checked) once, not at every load. A graph's
 * file name carries the model file's SHA-256 and the rewrite, and a sidecar holds the graph's own SHA-256: a
 * corrupt file is detected and replaced. The folders are tried in order; the caller chooses them (the one cache
 * policy lives in {@code io.github.bertembed.model.CacheRoot}).
 *
 * <pre>{@code
 * EncoderGraphCache cache = new EncoderGraphCache(List.of(Path.of("/home/me/.cache/bert-embed/encoders")));
 * Path graph = cache.find(model, EncoderRewrite.FUSED_PACKED);   // null until stored
 * }</pre>
 */
public final class EncoderGraphCache {
    /**
     * Name the fused and the fused, token-packing cuts; a new value whenever their rewrite changes (v3 and v2: the
     * cached graph is the one {@link EncoderGraph#checkedCut} chose).
     */
    private static final String FUSED_SUFFIX = "-fused-v3";
    private static final String PACKED_SUFFIX = "-fused-packed-v2";

    private final List<Path> folders;

    public EncoderGraphCache(List<Path> folders) {
        this.folders = List.copyOf(folders);
    }

    /** A cache that keeps nothing: every load cuts in memory. */
    public static EncoderGraphCache none() {
        return new EncoderGraphCache(List.of());
    }

    /** The intact cached graph of this model and rewrite, or null. */
    public Path find(OnnxModelFile model, EncoderRewrite rewrite) throws IOException {
        String name = fileName(model, rewrite);
        for (Path dir : folders) {
            Path file = dir.resolve(name);
            if (isIntact(file)) {
                return file;
            }
        }
        return null;
    }

    /**
     * Writes a cut graph into the first writable folder, atomically.
     *
     * @return its path, or null when no folder is writable (the caller then uses the bytes it has)
     */
    public Path store(OnnxModelFile model, EncoderRewrite rewrite, byte[] graph) {
        String name = fileName(model, rewrite);
        for (Path dir : folders) {
            try {
                Files.createDirectories(dir);
                Path file = dir.resolve(name);
                Path tmp = Files.createTempFile(dir, name, ".tmp");
                try {
                    Files.write(tmp, graph);
                    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                } finally {
                    Files.deleteIfExists(tmp);
                }
                Files.writeString(checksumFile(file), OnnxModelFile.sha256(graph), StandardCharsets.US_ASCII);
                return file;
            } catch (IOException e) {
                // read-only, full or otherwise unwritable: try the next folder
            }
        }
        return null;
    }

    private static String fileName(OnnxModelFile model, EncoderRewrite rewrite) {
        return "encoder-" + model.sha256().substring(0, 32)
                + switch (rewrite) {
                    case PLAIN -> "";
                    case FUSED -> FUSED_SUFFIX;
                    case FUSED_PACKED -> PACKED_SUFFIX;
                } + ".onnx";
    }

    private static Path checksumFile(Path file) {
        return file.resolveSibling(file.getFileName() + ".sha256");
    }

    private static boolean isIntact(Path file) throws IOException {
        Path sum = checksumFile(file);
        if (!Files.isRegularFile(file) || !Files.isRegularFile(sum)) {
            return false;
        }
        String expected = Files.readString(sum, StandardCharsets.US_ASCII).trim();
        return expected.equals(OnnxModelFile.sha256(file));
    }
}
