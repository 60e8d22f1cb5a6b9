package io.github.bertembed.search;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

import java.nio.ByteBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.util.Map;

/**
 * The int8 first pass as one integer matrix product a block: the rows' codes (stored unsigned, code + 128, with
 * zero point 128) times the queries' int8 codes in onnxruntime's MatMulInteger, exact int32 dot products of the
 * int8 values, then TopK along the rows (ties: the lower row first).
 */
final class Int8Scorer implements AutoCloseable {
    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final OrtSession session;
    private final int dimension;

    Int8Scorer(int dimension, int threads) {
        this.dimension = dimension;
        session = ScoringGraphs.session(graph(dimension), threads);
    }

    /** Each query's best {@code k} rows of one block, by the int8 dot product. */
    TopHits[] search(byte[][] queries, ByteBuffer block, long base, int k) {
        int n = block.capacity() / dimension;
        int q = queries.length;
        int kk = Math.min(k, n);
        ByteBuffer transposed = ByteBuffer.allocateDirect(dimension * q);
        for (int j = 0; j < dimension; j++) {
            for (int i = 0; i < q; i++) {
                transposed.put(j * q + i, queries[i][j]);
            }
        }
        TopHits[] out = new TopHits[q];
        try (OnnxTensor rows = OnnxTensor.createTensor(env, block, new long[] {n, dimension}, OnnxJavaType.UINT8);
             OnnxTensor qt = OnnxTensor.createTensor(env, transposed, new long[] {dimension, q}, OnnxJavaType.INT8);
             OnnxTensor kt = OnnxTensor.createTensor(env, LongBuffer.wrap(new long[] {kk}), new long[] {1});
             OrtSession.Result r = session.run(Map.of("rows", rows, "queries_t", qt, "k", kt))) {
            IntBuffer values = ((OnnxTensor) r.get(0)).getIntBuffer();
            LongBuffer index = ((OnnxTensor) r.get(1)).getLongBuffer();
            for (int i = 0; i < q; i++) {
                out[i] = new TopHits(k);
                for (int j = 0; j < kk; j++) {
                    out[i].offer(values.get(i * kk + j), base + index.get(i * kk + j));
                }
            }
        } catch (OrtException e) {
            throw new IllegalStateException("int8 scoring failed: " + e.getMessage(), e);
        }
        return out;
    }

    /** scores = Transpose(MatMulInteger(rows, queriesᵀ, 128)); TopK along the rows. */
    private static GraphProto graph(int dimension) {
        GraphProto g = GraphProto.newBuilder().setName("int8_top_k")
                .addInput(ScoringGraphs.input("rows", 2, "rows", String.valueOf(dimension)))
                .addInput(ScoringGraphs.input("queries_t", 3, String.valueOf(dimension), "queries"))
                .addInput(ScoringGraphs.k())
                .addInitializer(TensorProto.newBuilder().setName("zero").setDataType(2)
                        .setRawData(com.google.protobuf.ByteString.copyFrom(new byte[] {(byte) 128})))
                .addNode(NodeProto.newBuilder().setOpType("MatMulInteger").setName("dots").addInput("rows")
                        .addInput("queries_t").addInput("zero").addOutput("dots"))
                .addNode(NodeProto.newBuilder().setOpType("Transpose").setName("by_query").addInput("dots")
                        .addOutput("scores").addAttribute(AttributeProto.newBuilder().setName("perm")
                                .setType(AttributeProto.AttributeType.INTS).addInts(1).addInts(0)))
                .build();
        return ScoringGraphs.withTopK(g);
    }

    @Override
    public void close() {
        ScoringGraphs.close(session);
    }
}
