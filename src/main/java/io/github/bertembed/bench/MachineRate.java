package io.github.bertembed.bench;

import ai.onnx.proto.OnnxMl;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.google.protobuf.ByteString;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Map;
import java.util.Random;

/**
 * What this machine's matrix multiply reaches in onnxruntime: a large fp32 MatMul (4096×384 by 384×1536, the
 * shape of a MiniLM feed-forward layer over a batch), timed over repeated runs. The ceiling against which the
 * encoder's achieved GFLOP/s is compared.
 */
public final class MachineRate {
    private MachineRate() {
    }

    /** GFLOP/s of the MatMul with {@code threads} intra-op threads (median of the timed runs). */
    public static double matMulGflops(int threads, int runs) throws Exception {
        int m = 4096;
        int k = 384;
        int n = 1536;
        Random r = new Random(1);
        ByteBuffer b = ByteBuffer.allocate(k * n * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < k * n; i++) {
            b.putFloat(r.nextFloat() - 0.5f);
        }
        OnnxMl.TensorShapeProto shape = OnnxMl.TensorShapeProto.newBuilder()
                .addDim(OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimValue(m))
                .addDim(OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimValue(k)).build();
        OnnxMl.GraphProto g = OnnxMl.GraphProto.newBuilder().setName("matmul")
                .addInput(OnnxMl.ValueInfoProto.newBuilder().setName("a").setType(OnnxMl.TypeProto.newBuilder()
                        .setTensorType(OnnxMl.TypeProto.Tensor.newBuilder().setElemType(1).setShape(shape))))
                .addInitializer(OnnxMl.TensorProto.newBuilder().setName("b").addDims(k).addDims(n).setDataType(1)
                        .setRawData(ByteString.copyFrom(b.array())))
                .addNode(OnnxMl.NodeProto.newBuilder().setOpType("MatMul").addInput("a").addInput("b").addOutput("c"))
                .addOutput(OnnxMl.ValueInfoProto.newBuilder().setName("c"))
                .build();
        byte[] model = OnnxMl.ModelProto.newBuilder().setIrVersion(7)
                .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setVersion(13)).setGraph(g).build().toByteArray();
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        float[] a = new float[m * k];
        for (int i = 0; i < a.length; i++) {
            a[i] = r.nextFloat() - 0.5f;
        }
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
            o.setIntraOpNumThreads(threads);
            try (OrtSession s = env.createSession(model, o);
                 OnnxTensor input = OnnxTensor.createTensor(env, FloatBuffer.wrap(a), new long[] {m, k})) {
                long[] times = new long[runs];
                for (int i = -3; i < runs; i++) {
                    long t = System.nanoTime();
                    try (OrtSession.Result res = s.run(Map.of("a", input))) {
                        if (i >= 0) {
                            times[i] = System.nanoTime() - t;
                        }
                    }
                }
                java.util.Arrays.sort(times);
                double seconds = times[runs / 2] / 1e9;
                return 2.0 * m * k * n / seconds / 1e9;
            }
        }
    }
}
