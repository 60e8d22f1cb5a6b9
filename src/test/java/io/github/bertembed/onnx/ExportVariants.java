package io.github.bertembed.onnx;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;

import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The export conventions users' ONNX files follow, made from a real model's graph and weights so the vectors they
 * should give are known: each variant computes what the original computes (or, for fp16 weights, what the
 * original computes on weights rounded to fp16). Written to a folder as {@code model.onnx}.
 */
public final class ExportVariants {
    private ExportVariants() {
    }

    /** How a variant departs from the original export. */
    public enum Variant {
        /** BERT exported without a token_type_ids input: the graph gathers segment row 0 for every token */
        NO_TOKEN_TYPES_INPUT,
        /** DistilBERT-style: no segment table at all (segment row 0 folded into the position table) */
        NO_SEGMENT_TABLE,
        /** sentence-transformers' export: outputs sentence_embedding first, then token_embeddings */
        SENTENCE_TRANSFORMERS_OUTPUTS,
        /** outputs pooler_output first, then last_hidden_state */
        POOLER_OUTPUT_FIRST,
        /** int32 inputs, cast to int64 inside the graph */
        INT32_INPUTS,
        /** every large float initializer stored as float16 with a Cast to float after it */
        FP16_WEIGHTS,
        /** initializers in model.onnx_data beside model.onnx, as exports over 2 GB must keep them */
        EXTERNAL_DATA,
        /** saved by an onnxruntime session after its extended optimizations (LayerNormalization, BiasGelu fused) */
        ORT_SESSION_OPTIMIZED,
        /**
         * onnxruntime's transformer optimizer, as optimum's O2-O4 exports: EmbedLayerNormalization, Attention,
         * SkipLayerNormalization, BiasGelu (needs Python with onnxruntime: {@link #PYTHON_OPTIMIZER})
         */
        TRANSFORMERS_OPTIMIZER,
        /** as {@link #TRANSFORMERS_OPTIMIZER}, then the whole graph in float16 (inputs and outputs kept), as O4 */
        TRANSFORMERS_OPTIMIZER_FP16
    }

    /** The script that runs onnxruntime's transformer optimizer. */
    public static final Path PYTHON_OPTIMIZER = Path.of("tests/export-variants/optimize_bert.py");

    /** Whether {@code python3} with onnxruntime's transformer optimizer is on this machine. */
    public static boolean pythonOptimizerAvailable() {
        try {
            Process p = new ProcessBuilder("python3", "-c", "import onnxruntime.transformers.optimizer")
                    .redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor() == 0;
        } catch (Exception e) {
            return false;
        }
    }

    public static ModelProto read(Path file) throws Exception {
        CodedInputStream in = CodedInputStream.newInstance(Files.readAllBytes(file));
        in.setSizeLimit(Integer.MAX_VALUE);
        return ModelProto.parseFrom(in);
    }

    /** Writes the variant of {@code source} as {@code folder/model.onnx} (and its data file where it has one). */
    public static Path write(Path source, Variant variant, Path folder) throws Exception {
        Files.createDirectories(folder);
        Path out = folder.resolve("model.onnx");
        if (variant == Variant.TRANSFORMERS_OPTIMIZER || variant == Variant.TRANSFORMERS_OPTIMIZER_FP16) {
            ModelProto m = read(source);
            int hidden = (int) m.getGraph().getInitializerList().stream()
                    .filter(t -> t.getName().contains("LayerNorm") && t.getDimsCount() == 1).findFirst()
                    .orElseThrow().getDims(0);
            // 0 heads, 0 hidden: the optimizer reads both from the graph
            Process p = new ProcessBuilder("python3", PYTHON_OPTIMIZER.toString(), source.toString(), out.toString(),
                    "0", "0",
                    variant == Variant.TRANSFORMERS_OPTIMIZER_FP16 ? "--fp16" : "").redirectErrorStream(true).start();
            String log = new String(p.getInputStream().readAllBytes());
            if (p.waitFor() != 0) {
                throw new IllegalStateException("onnxruntime's transformer optimizer failed:\n" + log);
            }
            return out;
        }
        if (variant == Variant.ORT_SESSION_OPTIMIZED) {
            try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
                o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.EXTENDED_OPT);
                o.setOptimizedModelFilePath(out.toString());
                OrtEnvironment.getEnvironment().createSession(source.toString(), o).close();
            }
            return out;
        }
        ModelProto model = read(source);
        GraphProto g = model.getGraph();
        GraphProto changed = switch (variant) {
            case NO_TOKEN_TYPES_INPUT -> noTokenTypesInput(g);
            case NO_SEGMENT_TABLE -> noSegmentTable(g);
            case SENTENCE_TRANSFORMERS_OUTPUTS -> sentenceTransformersOutputs(g);
            case POOLER_OUTPUT_FIRST -> poolerOutputFirst(g);
            case INT32_INPUTS -> int32Inputs(g);
            case FP16_WEIGHTS -> fp16Weights(g);
            case EXTERNAL_DATA -> externalData(g, folder.resolve("model.onnx_data"));
            case ORT_SESSION_OPTIMIZED, TRANSFORMERS_OPTIMIZER, TRANSFORMERS_OPTIMIZER_FP16 -> throw new AssertionError();
        };
        Files.write(out, model.toBuilder().setGraph(changed).build().toByteArray());
        return out;
    }

    private static NodeProto gatherOf(GraphProto g, String indices) {
        return g.getNodeList().stream().filter(n -> n.getOpType().equals("Gather") && n.getInput(1).equals(indices))
                .findFirst().orElseThrow();
    }

    private static GraphProto noTokenTypesInput(GraphProto g) {
        GraphProto.Builder b = g.toBuilder();
        removeInput(b, "token_type_ids");
        b.addNode(0, NodeProto.newBuilder().setOpType("Shape").addInput("input_ids").addOutput("variant_ids_shape")
                .setName("variant_ids_shape"));
        b.addNode(1, NodeProto.newBuilder().setOpType("ConstantOfShape").addInput("variant_ids_shape")
                .addOutput("variant_zero_types").setName("variant_zero_types")
                .addAttribute(AttributeProto.newBuilder().setName("value").setType(AttributeProto.AttributeType.TENSOR)
                        .setT(TensorProto.newBuilder().setDataType(TensorProto.DataType.INT64_VALUE).addDims(1)
                                .addInt64Data(0))));
        rename(b, "token_type_ids", "variant_zero_types", 2);
        return b.build();
    }

    private static GraphProto noSegmentTable(GraphProto g) {
        NodeProto segGather = gatherOf(g, "token_type_ids");
        NodeProto posGather = g.getNodeList().stream().filter(n -> n.getOpType().equals("Gather")
                && !n.getInput(1).equals("input_ids") && !n.getInput(1).equals("token_type_ids")
                && g.getInitializerList().stream().anyMatch(t -> t.getName().equals(n.getInput(0))))
                .filter(n -> initializer(g, n.getInput(0)).getDimsCount() == 2).findFirst().orElseThrow();
        TensorProto segTable = initializer(g, segGather.getInput(0));
        TensorProto posTable = initializer(g, posGather.getInput(0));
        float[] seg = OnnxModelFile.floats(segTable);
        float[] pos = OnnxModelFile.floats(posTable);
        int hidden = (int) posTable.getDims(1);
        for (int i = 0; i < pos.length; i++) {
            pos[i] += seg[i % hidden];
        }
        // The Add that sums the segment lookup: its other input takes its place.
        NodeProto add = g.getNodeList().stream().filter(n -> n.getOpType().equals("Add")
                && n.getInputList().contains(segGather.getOutput(0))).findFirst().orElseThrow();
        String other = add.getInput(0).equals(segGather.getOutput(0)) ? add.getInput(1) : add.getInput(0);
        GraphProto.Builder b = g.toBuilder();
        removeInput(b, "token_type_ids");
        b.clearNode();
        for (NodeProto n : g.getNodeList()) {
            if (n.equals(segGather) || n.equals(add)) {
                continue;
            }
            NodeProto.Builder nb = n.toBuilder();
            for (int i = 0; i < nb.getInputCount(); i++) {
                if (nb.getInput(i).equals(add.getOutput(0))) {
                    nb.setInput(i, other);
                }
            }
            b.addNode(nb);
        }
        replaceInitializer(b, floatTensor(posTable.getName(), OnnxModelFile.dims(posTable), pos));
        removeInitializer(b, segTable.getName());
        return b.build();
    }

    private static GraphProto sentenceTransformersOutputs(GraphProto g) {
        GraphProto.Builder b = g.toBuilder();
        b.addNode(NodeProto.newBuilder().setOpType("Identity").addInput("last_hidden_state")
                .addOutput("token_embeddings").setName("variant_token_embeddings"));
        b.addNode(NodeProto.newBuilder().setOpType("ReduceMean").addInput("last_hidden_state")
                .addOutput("sentence_embedding").setName("variant_sentence_embedding")
                .addAttribute(AttributeProto.newBuilder().setName("axes").setType(AttributeProto.AttributeType.INTS)
                        .addInts(1))
                .addAttribute(AttributeProto.newBuilder().setName("keepdims").setType(AttributeProto.AttributeType.INT)
                        .setI(0)));
        b.clearOutput();
        b.addOutput(ValueInfoProto.newBuilder().setName("sentence_embedding").setType(floatType(2)));
        b.addOutput(ValueInfoProto.newBuilder().setName("token_embeddings").setType(floatType(3)));
        return b.build();
    }

    private static GraphProto poolerOutputFirst(GraphProto g) {
        GraphProto.Builder b = g.toBuilder();
        b.addInitializer(TensorProto.newBuilder().setName("variant_first").setDataType(TensorProto.DataType.INT64_VALUE)
                .addInt64Data(0));
        b.addNode(NodeProto.newBuilder().setOpType("Gather").addInput("last_hidden_state").addInput("variant_first")
                .addOutput("variant_cls").setName("variant_cls")
                .addAttribute(AttributeProto.newBuilder().setName("axis").setType(AttributeProto.AttributeType.INT).setI(1)));
        b.addNode(NodeProto.newBuilder().setOpType("Tanh").addInput("variant_cls").addOutput("pooler_output")
                .setName("variant_pooler"));
        List<ValueInfoProto> outputs = new ArrayList<>(g.getOutputList());
        b.clearOutput();
        b.addOutput(ValueInfoProto.newBuilder().setName("pooler_output").setType(floatType(2)));
        b.addAllOutput(outputs);
        return b.build();
    }

    private static GraphProto int32Inputs(GraphProto g) {
        GraphProto.Builder b = g.toBuilder();
        List<String> names = new ArrayList<>();
        for (int i = 0; i < b.getInputCount(); i++) {
            ValueInfoProto in = b.getInput(i);
            if (in.getType().getTensorType().getElemType() == TensorProto.DataType.INT64_VALUE) {
                TypeProto.Builder t = in.getType().toBuilder();
                t.getTensorTypeBuilder().setElemType(TensorProto.DataType.INT32_VALUE);
                b.setInput(i, in.toBuilder().setType(t));
                names.add(in.getName());
            }
        }
        for (String name : names) {
            rename(b, name, name + "_int64", 0);
            b.addNode(0, NodeProto.newBuilder().setOpType("Cast").addInput(name).addOutput(name + "_int64")
                    .setName("variant_cast_" + name).addAttribute(AttributeProto.newBuilder().setName("to")
                            .setType(AttributeProto.AttributeType.INT).setI(TensorProto.DataType.INT64_VALUE)));
        }
        return b.build();
    }

    private static GraphProto fp16Weights(GraphProto g) {
        GraphProto.Builder b = g.toBuilder();
        List<NodeProto> casts = new ArrayList<>();
        for (int i = 0; i < b.getInitializerCount(); i++) {
            TensorProto t = b.getInitializer(i);
            if (t.getDataType() != TensorProto.DataType.FLOAT_VALUE || t.getDimsCount() == 0 || size(t) < 64) {
                continue;
            }
            float[] f = OnnxModelFile.floats(t);
            ByteBuffer half = ByteBuffer.allocate(f.length * 2).order(ByteOrder.LITTLE_ENDIAN);
            for (float v : f) {
                half.putShort(HalfFloat.fromFloat(v));
            }
            String name = t.getName();
            b.setInitializer(i, TensorProto.newBuilder().setName(name + "_fp16")
                    .setDataType(TensorProto.DataType.FLOAT16_VALUE).addAllDims(t.getDimsList())
                    .setRawData(ByteString.copyFrom(half.array())));
            casts.add(NodeProto.newBuilder().setOpType("Cast").addInput(name + "_fp16").addOutput(name)
                    .setName("variant_upcast_" + name).addAttribute(AttributeProto.newBuilder().setName("to")
                            .setType(AttributeProto.AttributeType.INT).setI(TensorProto.DataType.FLOAT_VALUE)).build());
        }
        for (int i = 0; i < casts.size(); i++) {
            b.addNode(i, casts.get(i));
        }
        return b.build();
    }

    private static GraphProto externalData(GraphProto g, Path dataFile) throws Exception {
        GraphProto.Builder b = g.toBuilder();
        long offset = 0;
        try (OutputStream data = Files.newOutputStream(dataFile)) {
            for (int i = 0; i < b.getInitializerCount(); i++) {
                TensorProto t = b.getInitializer(i);
                if (t.getRawData().size() < 1024) {
                    continue;
                }
                byte[] raw = t.getRawData().toByteArray();
                data.write(raw);
                b.setInitializer(i, t.toBuilder().clearRawData()
                        .setDataLocation(TensorProto.DataLocation.EXTERNAL)
                        .addExternalData(entry("location", dataFile.getFileName().toString()))
                        .addExternalData(entry("offset", Long.toString(offset)))
                        .addExternalData(entry("length", Integer.toString(raw.length))));
                offset += raw.length;
            }
        }
        return b.build();
    }

    private static StringStringEntryProto entry(String key, String value) {
        return StringStringEntryProto.newBuilder().setKey(key).setValue(value).build();
    }

    private static long size(TensorProto t) {
        long n = 1;
        for (long d : t.getDimsList()) {
            n *= d;
        }
        return n;
    }

    private static TensorProto initializer(GraphProto g, String name) {
        return g.getInitializerList().stream().filter(t -> t.getName().equals(name)).findFirst().orElseThrow();
    }

    /** A float32 initializer of these values, little-endian raw data as exporters write it. */
    public static TensorProto floatTensor(String name, long[] dims, float[] values) {
        ByteBuffer raw = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            raw.putFloat(v);
        }
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT_VALUE)
                .setRawData(ByteString.copyFrom(raw.array()));
        for (long d : dims) {
            t.addDims(d);
        }
        return t.build();
    }

    private static void replaceInitializer(GraphProto.Builder b, TensorProto t) {
        for (int i = 0; i < b.getInitializerCount(); i++) {
            if (b.getInitializer(i).getName().equals(t.getName())) {
                b.setInitializer(i, t);
            }
        }
    }

    private static void removeInitializer(GraphProto.Builder b, String name) {
        for (int i = b.getInitializerCount() - 1; i >= 0; i--) {
            if (b.getInitializer(i).getName().equals(name)) {
                b.removeInitializer(i);
            }
        }
    }

    private static void removeInput(GraphProto.Builder b, String name) {
        for (int i = b.getInputCount() - 1; i >= 0; i--) {
            if (b.getInput(i).getName().equals(name)) {
                b.removeInput(i);
            }
        }
    }

    /** Every node from {@code from} on that reads {@code value} reads {@code replacement} instead. */
    private static void rename(GraphProto.Builder b, String value, String replacement, int from) {
        for (int k = from; k < b.getNodeCount(); k++) {
            NodeProto.Builder n = b.getNodeBuilder(k);
            for (int i = 0; i < n.getInputCount(); i++) {
                if (n.getInput(i).equals(value)) {
                    n.setInput(i, replacement);
                }
            }
        }
    }

    private static TypeProto floatType(int rank) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (int i = 0; i < rank; i++) {
            shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimParam("d" + i));
        }
        return TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder()
                .setElemType(TensorProto.DataType.FLOAT_VALUE).setShape(shape)).build();
    }
}
