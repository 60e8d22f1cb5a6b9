package io.github.bertembed.search;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

/** The small onnxruntime graphs that score blocks of rows: their sessions and their inputs. */
final class ScoringGraphs {
    private ScoringGraphs() {
    }

    /** A session for {@code graph} on {@code threads} threads. */
    static OrtSession session(GraphProto graph, int threads) {
        ModelProto model = ModelProto.newBuilder().setIrVersion(8).setProducerName("bert-embed")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(17)).setGraph(graph).build();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(threads);
            options.setInterOpNumThreads(1);
            return OrtEnvironment.getEnvironment().createSession(model.toByteArray(), options);
        } catch (OrtException e) {
            throw new IllegalStateException("cannot start the scoring graph " + graph.getName() + ": "
                    + e.getMessage(), e);
        }
    }

    /** A 2-D input of ONNX element type {@code type}; a dimension is a number, or a name for a free one. */
    static ValueInfoProto input(String name, int type, String rows, String columns) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (String d : new String[] {rows, columns}) {
            TensorShapeProto.Dimension.Builder dim = TensorShapeProto.Dimension.newBuilder();
            if (d.chars().allMatch(Character::isDigit)) {
                dim.setDimValue(Long.parseLong(d));
            } else {
                dim.setDimParam(d);
            }
            shape.addDim(dim);
        }
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(
                TypeProto.Tensor.newBuilder().setElemType(type).setShape(shape))).build();
    }

    /** TopK's k: one int64. */
    static ValueInfoProto k() {
        return ValueInfoProto.newBuilder().setName("k").setType(TypeProto.newBuilder().setTensorType(
                TypeProto.Tensor.newBuilder().setElemType(7).setShape(TensorShapeProto.newBuilder()
                        .addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(1))))).build();
    }

    /** The graph with TopK over its "scores" (k from the input "k") as its outputs "values" and "indices". */
    static GraphProto withTopK(GraphProto g) {
        return g.toBuilder().addNode(ai.onnx.proto.OnnxMl.NodeProto.newBuilder().setOpType("TopK").setName("top")
                        .addInput("scores").addInput("k").addOutput("values").addOutput("indices"))
                .addOutput(ValueInfoProto.newBuilder().setName("values"))
                .addOutput(ValueInfoProto.newBuilder().setName("indices")).build();
    }

    static void close(OrtSession session) {
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException(e);
        }
    }
}
