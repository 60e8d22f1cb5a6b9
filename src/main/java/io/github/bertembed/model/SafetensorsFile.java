package io.github.bertembed.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.bertembed.onnx.HalfFloat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A safetensors file (Hugging Face's weight format: an 8-byte little-endian header size, a JSON header naming each
 * tensor's dtype, shape and byte range, then the raw little-endian data), read for its float tensors.
 *
 * <pre>{@code
 * float[] w = SafetensorsFile.read(Path.of("2_Dense/model.safetensors")).floats("linear.weight");
 * }</pre>
 */
public final class SafetensorsFile {
    private final Path file;
    private final JsonNode header;
    private final ByteBuffer data;

    private SafetensorsFile(Path file, JsonNode header, ByteBuffer data) {
        this.file = file;
        this.header = header;
        this.data = data;
    }

    /** @throws IOException naming the file when it is not a safetensors file */
    public static SafetensorsFile read(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer all = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size()).order(ByteOrder.LITTLE_ENDIAN);
            if (all.remaining() < 8) {
                throw new IOException(file + " is not a safetensors file (shorter than its header size)");
            }
            long size = all.getLong(0);
            if (size <= 0 || size > all.remaining() - 8) {
                throw new IOException(file + " is not a safetensors file (header size " + size + ")");
            }
            byte[] json = new byte[(int) size];
            all.get(8, json);
            JsonNode header = new ObjectMapper().readTree(new String(json, StandardCharsets.UTF_8));
            ByteBuffer data = all.slice(8 + (int) size, all.remaining() - 8 - (int) size).order(ByteOrder.LITTLE_ENDIAN);
            return new SafetensorsFile(file, header, data);
        }
    }

    /** Whether the file holds a tensor of that name. */
    public boolean has(String name) {
        return header.has(name) && !name.equals("__metadata__");
    }

    /** A tensor's shape. */
    public long[] shape(String name) {
        JsonNode shape = tensor(name).path("shape");
        long[] out = new long[shape.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = shape.get(i).asLong();
        }
        return out;
    }

    /**
     * A tensor's values as floats: F32 as stored, F16 and BF16 widened exactly.
     *
     * @throws IllegalArgumentException naming the tensor and file for another dtype or a byte range outside the data
     */
    public float[] floats(String name) {
        JsonNode t = tensor(name);
        String dtype = t.path("dtype").asText();
        long start = t.path("data_offsets").path(0).asLong(-1);
        long end = t.path("data_offsets").path(1).asLong(-1);
        if (start < 0 || end < start || end > data.capacity()) {
            throw new IllegalArgumentException(file + ": tensor " + name + " has data_offsets outside the file");
        }
        int bytes = (int) (end - start);
        int width = switch (dtype) {
            case "F32" -> 4;
            case "F16", "BF16" -> 2;
            default -> throw new IllegalArgumentException(file + ": tensor " + name + " is " + dtype
                    + "; bert-embed reads F32, F16 and BF16");
        };
        float[] out = new float[bytes / width];
        for (int i = 0; i < out.length; i++) {
            int at = (int) start + i * width;
            out[i] = switch (dtype) {
                case "F32" -> data.getFloat(at);
                case "BF16" -> Float.intBitsToFloat((data.getShort(at) & 0xFFFF) << 16);
                default -> HalfFloat.toFloat(data.getShort(at));
            };
        }
        return out;
    }

    private JsonNode tensor(String name) {
        JsonNode t = header.get(name);
        if (t == null || name.equals("__metadata__")) {
            throw new IllegalArgumentException(file + " has no tensor " + name);
        }
        return t;
    }
}
