package io.github.bertembed.onnx;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;

import java.util.ArrayList;
import java.util.List;

/**
 * The input embedding layer of a BERT-family ONNX graph, found by following the graph from its {@code input_ids}
 * and {@code token_type_ids} inputs rather than by initializer names: the token, position and segment tables
 * gathered and summed, and the LayerNorm after the sum (decomposed into ReduceMean/Sub/Pow/Sqrt/Div/Mul/Add, or a
 * single LayerNormalization node).
 *
 * @param tokens          the token (word) table
 * @param positions       the position table
 * @param segments        the segment (token type) table, or null when the model has none
 * @param gamma           LayerNorm weight
 * @param beta            LayerNorm bias
 * @param epsilon         LayerNorm epsilon
 * @param outputName      the graph value holding the LayerNorm output: where the encoder graph starts
 * @param inputIdsName    the graph input of token ids
 * @param tokenTypeName   the graph input of segment ids, or null
 * @param attentionName   the graph input of the attention mask, or null
 */
public record EmbeddingLayerGraph(TableTensor tokens, TableTensor positions, TableTensor segments, float[] gamma,
                                  float[] beta, float epsilon, String outputName, String inputIdsName,
                                  String tokenTypeName, String attentionName) {

    /** The hidden size. */
    public int hidden() {
        return tokens.columns();
    }

    /**
     * Finds the embedding layer of a model.
     *
     * @throws IllegalArgumentException naming what is missing, when the graph has no recognisable layer
     */
    public static EmbeddingLayerGraph find(OnnxModelFile model) {
        String where = model.path() + ": ";
        String inputIds = graphInput(model, "input_ids");
        if (inputIds == null) {
            throw new IllegalArgumentException(where + "not a BERT-family graph: no graph input named input_ids (inputs: "
                    + model.graph().getInputList().stream().map(v -> v.getName()).toList() + ")");
        }
        String tokenTypes = graphInput(model, "token_type_ids");
        String attention = graphInput(model, "attention_mask");
        // int32 exports cast their inputs to int64 first: the cast values are the inputs too.
        java.util.Set<String> idValues = aliases(model, inputIds);
        java.util.Set<String> typeValues = tokenTypes == null ? java.util.Set.of() : aliases(model, tokenTypes);

        NodeProto fused = consumerOf(model, idValues, "EmbedLayerNormalization");
        if (fused != null) {
            return embedLayerNormalization(model, fused, inputIds, typeValues.isEmpty() ? null : tokenTypes, attention);
        }
        NodeProto tokenGather = consumerOf(model, idValues, "Gather");
        if (tokenGather == null) {
            throw new IllegalArgumentException(where + "input_ids is not gathered from an embedding table");
        }
        // Walk down from the token lookup through the Adds to the first node that is not an Add: the LayerNorm.
        String sum = valueAfterLookup(model, tokenGather);
        NodeProto next = single(model.consumers(sum));
        while (next != null && next.getOpType().equals("Add")) {
            sum = next.getOutput(0);
            next = firstNonTrivial(model.consumers(sum));
        }
        if (next == null) {
            throw new IllegalArgumentException(where + "no LayerNorm after the embedding sum");
        }
        List<NodeProto> leaves = new ArrayList<>();
        collectAddLeaves(model, sum, leaves);
        TableTensor tokens = null;
        TableTensor positions = null;
        TableTensor segments = null;
        String segmentInput = null;
        for (NodeProto gather : leaves) {
            String indices = gather.getInput(1);
            TableTensor table = table(model, gather);
            if (idValues.contains(indices)) {
                tokens = table;
            } else if (typeValues.contains(indices)) {
                segments = table;
                segmentInput = tokenTypes;
            } else if (isAllZeros(model, indices)) {
                segments = table; // exported without token_type_ids: every token gets segment row 0
            } else {
                checkPositionIndices(model, indices, where);
                positions = table;
            }
        }
        if (tokens == null || positions == null) {
            throw new IllegalArgumentException(where + "the embedding sum lacks a "
                    + (tokens == null ? "token" : "position") + " table");
        }
        LayerNorm ln = layerNorm(model, sum, next, where);
        return new EmbeddingLayerGraph(tokens, positions, segments, ln.gamma, ln.beta, ln.epsilon, ln.output,
                inputIds, segmentInput, attention);
    }

    /**
     * The layer as onnxruntime's fusion leaves it: one EmbedLayerNormalization node (input_ids, segment_ids, word,
     * position and segment tables, gamma, beta, ...). Its second output, the mask index, feeds the fused attention,
     * so such a graph is not cut: it runs whole.
     */
    private static EmbeddingLayerGraph embedLayerNormalization(OnnxModelFile model, NodeProto n, String inputIds,
                                                               String tokenTypes, String attention) {
        String where = model.path() + ": ";
        float eps = 1e-12f;
        for (AttributeProto a : n.getAttributeList()) {
            if (a.getName().equals("epsilon")) {
                eps = a.getF();
            }
        }
        boolean hasSegments = n.getInputCount() > 4 && !n.getInput(4).isEmpty();
        return new EmbeddingLayerGraph(initializerTable(model, n.getInput(2), where),
                initializerTable(model, n.getInput(3), where),
                hasSegments ? initializerTable(model, n.getInput(4), where) : null,
                constantFloats(model, n.getInput(5), where),
                n.getInputCount() > 6 && !n.getInput(6).isEmpty() ? constantFloats(model, n.getInput(6), where) : null,
                eps, n.getOutput(0), inputIds, hasSegments && !n.getInput(1).isEmpty() ? tokenTypes : null, attention);
    }

    private static TableTensor initializerTable(OnnxModelFile model, String name, String where) {
        TensorProto t = constant(model, name, where);
        long[] dims = OnnxModelFile.dims(t);
        return new TableTensor(t.getName(), (int) dims[0], (int) dims[1], OnnxModelFile.floats(t), null, false, 1f, 0);
    }

    /** A graph input and the values that are only its Cast to another integer type. */
    static java.util.Set<String> aliases(OnnxModelFile model, String input) {
        java.util.Set<String> values = new java.util.LinkedHashSet<>();
        values.add(input);
        for (NodeProto c : model.consumers(input)) {
            if (c.getOpType().equals("Cast")) {
                values.add(c.getOutput(0));
            }
        }
        return values;
    }

    private static NodeProto consumerOf(OnnxModelFile model, java.util.Set<String> values, String op) {
        for (String v : values) {
            for (NodeProto n : model.consumers(v)) {
                if (n.getOpType().equals(op) && (!op.equals("Gather") || n.getInput(1).equals(v))) {
                    return n;
                }
            }
        }
        return null;
    }

    /**
     * Whether a value is zeros whatever the input: a ConstantOfShape of 0, or a zero constant sliced, expanded,
     * reshaped or cast (how exports without a token_type_ids input feed the segment table).
     */
    private static boolean isAllZeros(OnnxModelFile model, String value) {
        TensorProto constant = model.constant(value);
        if (constant != null) {
            return java.util.Arrays.stream(OnnxModelFile.longs(constant)).allMatch(v -> v == 0);
        }
        NodeProto p = model.producer(value);
        if (p == null) {
            return false;
        }
        return switch (p.getOpType()) {
            case "ConstantOfShape" -> p.getAttributeList().stream().filter(a -> a.getName().equals("value"))
                    .allMatch(a -> java.util.Arrays.stream(OnnxModelFile.longs(a.getT())).allMatch(v -> v == 0));
            case "Slice", "Expand", "Cast", "Reshape", "Unsqueeze", "Identity" -> isAllZeros(model, p.getInput(0));
            default -> false;
        };
    }

    private record LayerNorm(float[] gamma, float[] beta, float epsilon, String output) {
    }

    private static LayerNorm layerNorm(OnnxModelFile model, String x, NodeProto first, String where) {
        if (first.getOpType().equals("LayerNormalization")) {
            float eps = 1e-5f;
            for (AttributeProto a : first.getAttributeList()) {
                if (a.getName().equals("epsilon")) {
                    eps = a.getF();
                }
            }
            return new LayerNorm(constantFloats(model, first.getInput(1), where),
                    first.getInputCount() > 2 ? constantFloats(model, first.getInput(2), where) : null, eps,
                    first.getOutput(0));
        }
        // ReduceMean(x) -> Sub(x, mean) -> Pow(d, 2) -> ReduceMean -> Add(var, eps) -> Sqrt -> Div(d, std)
        //   -> Mul(., gamma) -> Add(., beta)
        NodeProto sub = null;
        for (NodeProto c : model.consumers(x)) {
            if (c.getOpType().equals("Sub")) {
                sub = c;
            }
        }
        if (!first.getOpType().equals("ReduceMean") || sub == null) {
            throw new IllegalArgumentException(where + "the embedding sum feeds " + first.getOpType()
                    + ", not a LayerNorm");
        }
        NodeProto pow = consumer(model, sub.getOutput(0), "Pow", where);
        NodeProto div = consumer(model, sub.getOutput(0), "Div", where);
        NodeProto varMean = consumer(model, pow.getOutput(0), "ReduceMean", where);
        NodeProto addEps = consumer(model, varMean.getOutput(0), "Add", where);
        float eps = OnnxModelFile.scalar(constant(model, other(addEps, varMean.getOutput(0)), where));
        NodeProto mul = consumer(model, div.getOutput(0), "Mul", where);
        float[] gamma = constantFloats(model, other(mul, div.getOutput(0)), where);
        NodeProto addBias = consumer(model, mul.getOutput(0), "Add", where);
        float[] beta = constantFloats(model, other(addBias, mul.getOutput(0)), where);
        return new LayerNorm(gamma, beta, eps, addBias.getOutput(0));
    }

    private static String graphInput(OnnxModelFile model, String name) {
        return model.graph().getInputList().stream().anyMatch(v -> v.getName().equals(name)) ? name : null;
    }

    /** The Gather that looks {@code indices} up in a table (the table is an initializer, maybe quantized). */
    private static NodeProto gatherOf(OnnxModelFile model, String indices) {
        for (NodeProto n : model.consumers(indices)) {
            if (n.getOpType().equals("Gather") && n.getInput(1).equals(indices)) {
                return n;
            }
        }
        return null;
    }

    /** The gathered value, past a DequantizeLinear when the table is quantized. */
    private static String valueAfterLookup(OnnxModelFile model, NodeProto gather) {
        String out = gather.getOutput(0);
        NodeProto c = single(model.consumers(out));
        if (c != null && c.getOpType().equals("DequantizeLinear")) {
            return c.getOutput(0);
        }
        return out;
    }

    private static NodeProto firstNonTrivial(List<NodeProto> nodes) {
        for (NodeProto n : nodes) {
            if (n.getOpType().equals("Add") || n.getOpType().equals("ReduceMean")
                    || n.getOpType().equals("LayerNormalization")) {
                return n;
            }
        }
        return nodes.isEmpty() ? null : nodes.get(0);
    }

    private static NodeProto single(List<NodeProto> nodes) {
        return nodes.isEmpty() ? null : firstNonTrivial(nodes);
    }

    /** The Gather nodes whose (dequantized) outputs the Add tree ending in {@code value} sums. */
    private static void collectAddLeaves(OnnxModelFile model, String value, List<NodeProto> leaves) {
        NodeProto p = model.producer(value);
        if (p == null) {
            return;
        }
        switch (p.getOpType()) {
            case "Add" -> {
                collectAddLeaves(model, p.getInput(0), leaves);
                collectAddLeaves(model, p.getInput(1), leaves);
            }
            case "DequantizeLinear" -> collectAddLeaves(model, p.getInput(0), leaves);
            case "Gather" -> leaves.add(p);
            default -> {
            }
        }
    }

    private static TableTensor table(OnnxModelFile model, NodeProto gather) {
        String data = gather.getInput(0);
        NodeProto p = model.producer(data);
        if (p != null && p.getOpType().equals("DequantizeLinear")) {
            return quantizedTable(model, p.getInput(0), p.getInput(1), p.getInputCount() > 2 ? p.getInput(2) : null);
        }
        TensorProto t = model.constant(data);
        if (t == null && p != null && p.getOpType().equals("Cast")) {
            t = model.constant(p.getInput(0)); // a float16 table widened by the graph
        }
        if (t == null) {
            throw new IllegalArgumentException(model.path() + ": embedding table " + data + " is not an initializer");
        }
        String out = gather.getOutput(0);
        for (NodeProto c : model.consumers(out)) {
            if (c.getOpType().equals("DequantizeLinear")) {
                return quantizedTable(model, data, c.getInput(1), c.getInputCount() > 2 ? c.getInput(2) : null);
            }
        }
        long[] dims = OnnxModelFile.dims(t);
        return new TableTensor(t.getName(), (int) dims[0], (int) dims[1], OnnxModelFile.floats(t), null, false, 1f, 0);
    }

    private static TableTensor quantizedTable(OnnxModelFile model, String data, String scaleName, String zeroName) {
        TensorProto t = model.initializer(data);
        long[] dims = OnnxModelFile.dims(t);
        float scale = OnnxModelFile.scalar(model.constant(scaleName));
        int zero = 0;
        boolean signed = t.getDataType() == TensorProto.DataType.INT8_VALUE;
        if (zeroName != null && !zeroName.isEmpty()) {
            byte[] z = OnnxModelFile.bytes(model.constant(zeroName));
            zero = signed ? z[0] : (z[0] & 0xFF);
        }
        return new TableTensor(t.getName(), (int) dims[0], (int) dims[1], null, OnnxModelFile.bytes(t), signed, scale, zero);
    }

    /** Positions must be 0, 1, 2, ...: a slice of an arange initializer (or computed in the graph). */
    private static void checkPositionIndices(OnnxModelFile model, String indices, String where) {
        NodeProto p = model.producer(indices);
        if (p != null && p.getOpType().equals("Slice")) {
            TensorProto ids = model.initializer(p.getInput(0));
            if (ids != null) {
                long[] values = OnnxModelFile.longs(ids);
                for (int i = 0; i < values.length; i++) {
                    if (values[i] != i) {
                        throw new IllegalArgumentException(where + "position ids are not 0, 1, 2, ... (at " + i + ")");
                    }
                }
            }
        }
    }

    private static NodeProto consumer(OnnxModelFile model, String value, String op, String where) {
        for (NodeProto n : model.consumers(value)) {
            if (n.getOpType().equals(op)) {
                return n;
            }
        }
        throw new IllegalArgumentException(where + "embedding LayerNorm: expected " + op + " after " + value);
    }

    private static String other(NodeProto binary, String known) {
        return binary.getInput(0).equals(known) ? binary.getInput(1) : binary.getInput(0);
    }

    private static TensorProto constant(OnnxModelFile model, String value, String where) {
        TensorProto t = model.constant(value);
        NodeProto p = t == null ? model.producer(value) : null;
        if (p != null && p.getOpType().equals("Cast")) {
            t = model.constant(p.getInput(0)); // weights stored as float16 and widened by the graph
        }
        if (t == null) {
            throw new IllegalArgumentException(where + "embedding LayerNorm parameter " + value + " is not a constant");
        }
        return t;
    }

    private static float[] constantFloats(OnnxModelFile model, String value, String where) {
        return OnnxModelFile.floats(constant(model, value, where));
    }
}
