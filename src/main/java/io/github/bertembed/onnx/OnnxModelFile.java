package io.github.bertembed.onnx;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * An ONNX model read into memory, with the indexes graph walking needs: which node produces a value, which nodes
 * consume it, and the initializers and constants by name.
 *
 * <pre>{@code
 * OnnxModelFile model = OnnxModelFile.read(Path.of("onnx-models/all-minilm-l6-v2/model.onnx"));
 * EmbeddingLayerGraph layer = EmbeddingLayerGraph.find(model);
 * }</pre>
 */
public final class OnnxModelFile {
    private final Path path;
    private final ModelProto model;
    private final String sha256;
    private final GraphIndex index;

    private OnnxModelFile(Path path, ModelProto model, String sha256) {
        this.path = path;
        this.model = model;
        this.sha256 = sha256;
        this.index = new GraphIndex(model.getGraph().getNodeList(), model.getGraph().getInitializerList());
    }

    /**
     * Reads and parses a model file.
     *
     * @throws IOException for a missing, unreadable, truncated or non-ONNX file, naming it
     */
    public static OnnxModelFile read(Path path) throws IOException {
        // Mapped, not read into the heap: the weights stay views of the file's pages (the OS's page cache, dropped
        // under pressure), so loading a model costs the heap its parsed structure only.
        ByteBuffer mapped;
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            if (channel.size() > Integer.MAX_VALUE - 8) {
                throw new IOException(path + " is over 2 GB: such models keep their weights in external data files");
            }
            mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size());
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(path.toString(), null, "ONNX model file not found");
        }
        OnnxModelFile model = parse(path, mapped);
        return model.hasExternalData() ? model.withExternalDataInlined() : model;
    }

    /**
     * The external data files a model file names (relative to its folder, as written), without reading them: what
     * a download must fetch beside it.
     */
    public static java.util.Set<String> externalDataFiles(Path file) throws IOException {
        ByteBuffer mapped;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size());
        }
        java.util.Set<String> files = new java.util.TreeSet<>();
        for (TensorProto t : parse(file, mapped).graph().getInitializerList()) {
            for (var e : t.getExternalDataList()) {
                if (e.getKey().equals("location")) {
                    files.add(e.getValue());
                }
            }
        }
        return files;
    }

    private boolean hasExternalData() {
        return graph().getInitializerList().stream()
                .anyMatch(t -> t.getDataLocation() == TensorProto.DataLocation.EXTERNAL);
    }

    /**
     * The model with the weights it keeps in external data files (as exports over 2 GB must) read into its
     * initializers, so the cut graph is one self-contained file. Each file name must stay in the model's folder.
     */
    private OnnxModelFile withExternalDataInlined() throws IOException {
        Path folder = path.toAbsolutePath().getParent();
        Map<String, ByteBuffer> files = new HashMap<>();
        GraphProto.Builder g = graph().toBuilder();
        long total = 0;
        for (int i = 0; i < g.getInitializerCount(); i++) {
            TensorProto t = g.getInitializer(i);
            if (t.getDataLocation() != TensorProto.DataLocation.EXTERNAL) {
                continue;
            }
            String location = null;
            long offset = 0;
            long length = -1;
            for (var e : t.getExternalDataList()) {
                switch (e.getKey()) {
                    case "location" -> location = e.getValue();
                    case "offset" -> offset = Long.parseLong(e.getValue());
                    case "length" -> length = Long.parseLong(e.getValue());
                    default -> {
                    }
                }
            }
            Path file = location == null ? null : folder.resolve(location).normalize();
            if (file == null || !file.startsWith(folder) || location.contains("\\")) {
                throw new IOException(path + ": initializer " + t.getName() + " names external data outside the"
                        + " model's folder: " + location);
            }
            ByteBuffer data = files.get(location);
            if (data == null) {
                try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
                    data = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size());
                } catch (NoSuchFileException e) {
                    throw new NoSuchFileException(file.toString(), null, "external data of " + path.getFileName()
                            + " not found");
                }
                files.put(location, data);
            }
            long end = length < 0 ? data.capacity() : offset + length;
            if (offset < 0 || end > data.capacity()) {
                throw new IOException(path + ": initializer " + t.getName() + " lies past the end of " + file
                        + " (truncated?)");
            }
            total += end - offset;
            if (total > Integer.MAX_VALUE - 8) {
                throw new IOException(path + ": weights over 2 GB cannot be cut into one encoder graph");
            }
            ByteBuffer slice = data.duplicate().position((int) offset).limit((int) end).slice();
            g.setInitializer(i, t.toBuilder().clearExternalData().clearDataLocation()
                    .setRawData(com.google.protobuf.UnsafeByteOperations.unsafeWrap(slice)));
        }
        // The identity of the model is its graph and its data: a changed data file is another model.
        StringBuilder identity = new StringBuilder(sha256);
        for (var e : new java.util.TreeMap<>(files).entrySet()) {
            identity.append(' ').append(e.getKey()).append(' ').append(sha256(e.getValue()));
        }
        return new OnnxModelFile(path, model.toBuilder().setGraph(g).build(),
                sha256(identity.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    /** Parses model bytes; {@code path} names the source in errors. */
    public static OnnxModelFile parse(Path path, byte[] bytes) throws IOException {
        return parse(path, ByteBuffer.wrap(bytes));
    }

    private static OnnxModelFile parse(Path path, ByteBuffer bytes) throws IOException {
        if (bytes.remaining() == 0) {
            throw new IOException(path + " is empty; expected an ONNX model");
        }
        ModelProto model;
        try {
            CodedInputStream in = CodedInputStream.newInstance(bytes.duplicate());
            in.setSizeLimit(Integer.MAX_VALUE); // protobuf's 64 MB default is smaller than real models
            in.enableAliasing(true); // weights stay views of the file's bytes instead of copies
            model = ModelProto.parseFrom(in);
        } catch (InvalidProtocolBufferException e) {
            throw new IOException(path + " is not a readable ONNX model (truncated or corrupt?): " + e.getMessage(), e);
        }
        if (!model.hasGraph() || model.getGraph().getNodeCount() == 0) {
            throw new IOException(path + " holds no ONNX graph (truncated or not an ONNX model)");
        }
        return new OnnxModelFile(path, model, sha256(bytes));
    }

    static String sha256(byte[] bytes) {
        return sha256(ByteBuffer.wrap(bytes));
    }

    /** A file's SHA-256, read through its mapped pages rather than a copy in the heap. */
    static String sha256(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            return sha256(channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size()));
        }
    }

    static String sha256(ByteBuffer bytes) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(bytes.duplicate());
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public Path path() {
        return path;
    }

    public ModelProto proto() {
        return model;
    }

    public GraphProto graph() {
        return model.getGraph();
    }

    /** SHA-256 of the file's bytes, hex. */
    public String sha256() {
        return sha256;
    }

    NodeProto producer(String value) {
        return index.producer(value);
    }

    List<NodeProto> consumers(String value) {
        return index.consumers(value);
    }

    TensorProto initializer(String name) {
        return index.initializer(name);
    }

    /** The tensor behind a value: an initializer, or the value attribute of a Constant node; null if neither. */
    TensorProto constant(String value) {
        return index.constant(value);
    }

    /** Number of nodes of an operator type. */
    public long countOps(String opType) {
        return graph().getNodeList().stream().filter(n -> n.getOpType().equals(opType)).count();
    }

    /** Self-attention layers: one Softmax each. */
    public int attentionLayers() {
        return (int) countOps("Softmax");
    }

    /**
     * FLOPs per token of the multiplications by weight matrices: 2·K·N for every MatMul, MatMulInteger or Gemm
     * whose second input is a [K, N] initializer (directly or through DequantizeLinear, Identity or Transpose).
     */
    public long weightFlopsPerToken() {
        Map<String, String> through = new HashMap<>();
        for (NodeProto n : graph().getNodeList()) {
            String op = n.getOpType();
            if (op.equals("DequantizeLinear") || op.equals("Identity") || op.equals("Transpose")) {
                through.put(n.getOutput(0), n.getInput(0));
            }
        }
        long flops = 0;
        for (NodeProto n : graph().getNodeList()) {
            String op = n.getOpType();
            if (op.equals("MatMul") || op.equals("MatMulInteger") || op.equals("Gemm")) {
                TensorProto w = index.initializer(n.getInput(1));
                if (w == null && through.containsKey(n.getInput(1))) {
                    w = index.initializer(through.get(n.getInput(1)));
                }
                if (w != null && w.getDimsCount() == 2) {
                    flops += 2 * w.getDims(0) * w.getDims(1);
                }
            }
        }
        return flops;
    }

    /** Whether activations are quantized at run time, one scale per tensor (dynamic int8 quantization). */
    public boolean isDynamicallyQuantized() {
        return countOps("DynamicQuantizeLinear") > 0;
    }

    // ---- tensor decoding -------------------------------------------------------------------------------------

    /** A float32 (or float16, widened) tensor's values. */
    public static float[] floats(TensorProto t) {
        if (t.getDataType() == TensorProto.DataType.FLOAT16_VALUE) {
            return halfFloats(t);
        }
        if (t.getDataType() != TensorProto.DataType.FLOAT_VALUE) {
            throw new IllegalArgumentException("tensor " + t.getName() + " is not float32 (type " + t.getDataType() + ")");
        }
        if (!t.getRawData().isEmpty()) {
            ByteBuffer b = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
            float[] out = new float[b.remaining() / 4];
            b.asFloatBuffer().get(out);
            return out;
        }
        float[] out = new float[t.getFloatDataCount()];
        for (int i = 0; i < out.length; i++) {
            out[i] = t.getFloatData(i);
        }
        return out;
    }

    /** A float16 tensor widened to float32 (exactly: every half value is a float value). */
    private static float[] halfFloats(TensorProto t) {
        if (!t.getRawData().isEmpty()) {
            ByteBuffer b = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
            float[] out = new float[b.remaining() / 2];
            for (int i = 0; i < out.length; i++) {
                out[i] = HalfFloat.toFloat(b.getShort());
            }
            return out;
        }
        float[] out = new float[t.getInt32DataCount()]; // float16 values as their bits in int32_data
        for (int i = 0; i < out.length; i++) {
            out[i] = HalfFloat.toFloat((short) t.getInt32Data(i));
        }
        return out;
    }

    /** Raw bytes of an int8/uint8 tensor. */
    static byte[] bytes(TensorProto t) {
        int type = t.getDataType();
        if (type != TensorProto.DataType.UINT8_VALUE && type != TensorProto.DataType.INT8_VALUE) {
            throw new IllegalArgumentException("tensor " + t.getName() + " is not 8-bit (type " + type + ")");
        }
        if (!t.getRawData().isEmpty()) {
            return t.getRawData().toByteArray();
        }
        byte[] out = new byte[t.getInt32DataCount()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) t.getInt32Data(i);
        }
        return out;
    }

    static long[] longs(TensorProto t) {
        if (!t.getRawData().isEmpty()) {
            ByteBuffer b = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
            if (t.getDataType() == TensorProto.DataType.INT64_VALUE) {
                long[] out = new long[b.remaining() / 8];
                b.asLongBuffer().get(out);
                return out;
            }
            if (t.getDataType() == TensorProto.DataType.INT32_VALUE) {
                int[] ints = new int[b.remaining() / 4];
                b.asIntBuffer().get(ints);
                return java.util.Arrays.stream(ints).asLongStream().toArray();
            }
        }
        if (t.getInt64DataCount() > 0) {
            return t.getInt64DataList().stream().mapToLong(Long::longValue).toArray();
        }
        return t.getInt32DataList().stream().mapToLong(Integer::longValue).toArray();
    }

    /** A scalar (or one-element) float constant. */
    static float scalar(TensorProto t) {
        float[] f = floats(t);
        if (f.length != 1) {
            throw new IllegalArgumentException("tensor " + t.getName() + " is not a scalar");
        }
        return f[0];
    }

    /** A tensor's shape. */
    public static long[] dims(TensorProto t) {
        return t.getDimsList().stream().mapToLong(Long::longValue).toArray();
    }
}
