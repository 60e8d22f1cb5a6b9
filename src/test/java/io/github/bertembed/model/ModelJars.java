package io.github.bertembed.model;

import io.github.bertembed.SentenceEmbedder;
import io.github.bertembed.TestData;
import io.github.bertembed.TinyBertModel;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;

/** Model jars as langchain4j publishes them ({@code <name>.onnx} + {@code <name>-tokenizer.json} at the root), for tests. */
final class ModelJars {
    private ModelJars() {
    }

    /** Writes a jar of stored (uncompressed) entries: name → content. */
    static Path write(Path jar, Map<String, byte[]> entries) throws IOException {
        try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file)) {
            for (var e : entries.entrySet()) {
                JarEntry entry = new JarEntry(e.getKey());
                entry.setMethod(ZipEntry.STORED);
                CRC32 crc = new CRC32();
                crc.update(e.getValue());
                entry.setCrc(crc.getValue());
                entry.setSize(e.getValue().length);
                entry.setCompressedSize(e.getValue().length);
                out.putNextEntry(entry);
                out.write(e.getValue());
                out.closeEntry();
            }
        }
        return jar;
    }

    /** A model jar holding a model folder's files under {@code name}. */
    static Path of(Path jar, String name, byte[] onnx, Path tokenizerJson) throws IOException {
        return write(jar, Map.of(name + ".onnx", onnx, name + "-tokenizer.json", Files.readAllBytes(tokenizerJson)));
    }

    /** A class loader that sees only this jar (no parent resources). */
    static URLClassLoader loader(Path jar) throws IOException {
        return new URLClassLoader(new URL[]{jar.toUri().toURL()}, null);
    }

    /** The jar on the test classpath that carries a resource. */
    static Path jarHolding(String resource) throws Exception {
        URL url = ModelJars.class.getClassLoader().getResource(resource);
        String s = url.toString();
        return Path.of(new java.net.URI(s.substring("jar:".length(), s.indexOf("!/"))));
    }
}
