package io.github.bertembed.search;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.List;
import java.util.Map;

/**
 * Exact top-k over float32 rows: each block of rows is one matrix product of the queries against the block
 * (onnxruntime's Gemm, all cores) followed by its TopK, and the blocks' candidates are merged. The final order is
 * decided in double precision: a few more candidates than k are kept and rescored exactly, so ids, order and scores
 * equal a brute-force double-precision search (ties: the lower row first).
 */
final class ExactScorer implements AutoCloseable {
    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final OrtSession session;
    private final int dimension;

    ExactScorer(int dimension, int threads) {
        this.dimension = dimension;
        session = ScoringGraphs.session(graph(dimension), threads);
    }

    /** Candidates kept beyond k before the exact rescoring: float32 scores may misorder near-ties only. */
    static int margin(int k) {
        return k + Math.max(8, k / 4);
    }

    /** The top {@code k} rows of each query, best first, scored in double precision. */
    TopHits[] search(float[][] queries, int k, FloatRows rows) {
        int keep = margin(k);
        TopHits[] candidates = new TopHits[queries.length];
        for (int q = 0; q < queries.length; q++) {
            candidates[q] = new TopHits(keep);
        }
        float[] flat = new float[queries.length * dimension];
        for (int q = 0; q < queries.length; q++) {
            System.arraycopy(queries[q], 0, flat, q * dimension, dimension);
        }
        try (OnnxTensor qt = OnnxTensor.createTensor(env, FloatBuffer.wrap(flat), new long[] {queries.length, dimension})) {
            List<FloatBuffer> blocks = rows.blocks();
            for (int b = 0; b < blocks.size(); b++) {
                FloatBuffer block = blocks.get(b);
                int n = block.capacity() / dimension;
                int kk = Math.min(keep, n);
                try (OnnxTensor ct = OnnxTensor.createTensor(env, block, new long[] {n, dimension});
                     OnnxTensor kt = OnnxTensor.createTensor(env, LongBuffer.wrap(new long[] {kk}), new long[] {1});
                     OrtSession.Result r = session.run(Map.of("queries", qt, "rows", ct, "k", kt))) {
                    FloatBuffer values = ((OnnxTensor) r.get(0)).getFloatBuffer();
                    LongBuffer index = ((OnnxTensor) r.get(1)).getLongBuffer();
                    long base = (long) b * FloatRows.BLOCK_ROWS;
                    for (int q = 0; q < queries.length; q++) {
                        for (int i = 0; i < kk; i++) {
                            candidates[q].offer(values.get(q * kk + i), base + index.get(q * kk + i));
                        }
                    }
                }
            }
        } catch (OrtException e) {
            throw new IllegalStateException("scoring failed: " + e.getMessage(), e);
        }
        TopHits[] out = new TopHits[queries.length];
        for (int q = 0; q < queries.length; q++) {
            out[q] = rescore(queries[q], candidates[q].rows(), k, rows);
        }
        return out;
    }

    /** The best {@code k} of {@code candidates} by their exact (double-precision) dot product with the query. */
    static TopHits rescore(float[] query, long[] candidates, int k, FloatRows rows) {
        TopHits top = new TopHits(k);
        for (long row : candidates) {
            top.offer(rows.dot(query, row), row);
        }
        return top;
    }

    /** scores = queries · rowsᵀ; TopK along the rows (ONNX: equal values keep the lower index first). */
    private static GraphProto graph(int dimension) {
        GraphProto g = GraphProto.newBuilder().setName("exact_top_k")
                .addInput(ScoringGraphs.input("queries", 1, "queries", String.valueOf(dimension)))
                .addInput(ScoringGraphs.input("rows", 1, "rows", String.valueOf(dimension)))
                .addInput(ScoringGraphs.k())
                .addNode(NodeProto.newBuilder().setOpType("Gemm").setName("scores").addInput("queries").addInput("rows")
                        .addOutput("scores").addAttribute(AttributeProto.newBuilder().setName("transB")
                                .setType(AttributeProto.AttributeType.INT).setI(1)))
                .build();
        return ScoringGraphs.withTopK(g);
    }

    @Override
    public void close() {
        ScoringGraphs.close(session);
    }
}
