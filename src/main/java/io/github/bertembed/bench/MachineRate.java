package io.github.bertembed.bench;

import ai.onnx.proto.OnnxMl;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.google.protobuf.ByteString;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;

/**
 * What this machine's matrix multiply reaches in onnxruntime. {@link #matMulGflops} times a large fp32 MatMul
 * (4096×384 by 384×1536, the shape of a MiniLM feed-forward layer over a batch): the ceiling against which the
 * encoder's achieved GFLOP/s is compared.
 *
 * <pre>{@code
 * double peak = MachineRate.matMulGflops(2, 20);
 * }</pre>
 */
public final class MachineRate {
    private static final int HIDDEN = 384;

    private MachineRate() {
    }

    /** GFLOP/s of the large MatMul with {@code threads} intra-op threads (median of the timed runs). */
    /** The processor's name as Linux reports it ({@code /proc/cpuinfo}'s model name), else the OS architecture. */
    public static String cpuName() {
        try (var lines = java.nio.file.Files.lines(java.nio.file.Path.of("/proc/cpuinfo"))) {
            return lines.filter(l -> l.startsWith("model name")).map(l -> l.substring(l.indexOf(':') + 1).trim())
                    .findFirst().orElse(System.getProperty("os.arch"));
        } catch (java.io.IOException | RuntimeException e) {
            return System.getProperty("os.arch");
        }
    }

    public static double matMulGflops(int threads, int runs) throws Exception {
        int m = 4096;
        Random r = new Random(1);
        OnnxMl.GraphProto.Builder g = OnnxMl.GraphProto.newBuilder().setName("matmul").addInput(rowsInput(HIDDEN))
                .addInitializer(weight("b", HIDDEN, 4 * HIDDEN, r))
                .addNode(matMul("x", "b", "c")).addOutput(OnnxMl.ValueInfoProto.newBuilder().setName("c"));
        double seconds = medianSeconds(g.build(), threads, m, HIDDEN, runs, r);
        return 2.0 * m * HIDDEN * 4 * HIDDEN / seconds / 1e9;
    }

    private static double medianSeconds(OnnxMl.GraphProto g, int threads, int rows, int columns, int runs, Random r)
            throws Exception {
        byte[] model = OnnxMl.ModelProto.newBuilder().setIrVersion(7)
                .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setVersion(13)).setGraph(g).build().toByteArray();
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        float[] a = new float[rows * columns];
        for (int i = 0; i < a.length; i++) {
            a[i] = (r.nextFloat() - 0.5f) * 0.1f;
        }
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
            o.setIntraOpNumThreads(threads);
            try (OrtSession s = env.createSession(model, o);
                 OnnxTensor input = OnnxTensor.createTensor(env, FloatBuffer.wrap(a), new long[] {rows, columns})) {
                long[] times = new long[runs];
                for (int i = -Math.max(3, runs / 5); i < runs; i++) {
                    long t = System.nanoTime();
                    try (OrtSession.Result res = s.run(Map.of("x", input))) {
                        if (i >= 0) {
                            times[i] = System.nanoTime() - t;
                        }
                    }
                }
                Arrays.sort(times);
                return times[runs / 2] / 1e9;
            }
        }
    }

    private static OnnxMl.ValueInfoProto rowsInput(int columns) {
        OnnxMl.TensorShapeProto shape = OnnxMl.TensorShapeProto.newBuilder()
                .addDim(OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimParam("rows"))
                .addDim(OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimValue(columns)).build();
        return OnnxMl.ValueInfoProto.newBuilder().setName("x").setType(OnnxMl.TypeProto.newBuilder()
                .setTensorType(OnnxMl.TypeProto.Tensor.newBuilder().setElemType(1).setShape(shape))).build();
    }

    private static OnnxMl.TensorProto weight(String name, int rows, int columns, Random r) {
        ByteBuffer b = ByteBuffer.allocate(rows * columns * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < rows * columns; i++) {
            b.putFloat((r.nextFloat() - 0.5f) * 0.1f);
        }
        return OnnxMl.TensorProto.newBuilder().setName(name).addDims(rows).addDims(columns).setDataType(1)
                .setRawData(ByteString.copyFrom(b.array())).build();
    }

    private static OnnxMl.NodeProto matMul(String a, String b, String c) {
        return OnnxMl.NodeProto.newBuilder().setOpType("MatMul").addInput(a).addInput(b).addOutput(c).build();
    }
}
