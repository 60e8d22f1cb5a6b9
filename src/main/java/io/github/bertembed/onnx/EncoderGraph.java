package io.github.bertembed.onnx;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The model's own graph cut after the embedding LayerNorm: it takes {@code inputs_embeds} [batch, seq, hidden]
 * float and {@code attention_mask} [batch, seq] int64 and yields {@code last_hidden_state}. Nodes and
 * initializers only the embedding layer used are dropped.
 *
 * <p>The cut is pure: {@link EncoderGraphCache} keeps cut graphs on disk.
 *
 * <pre>{@code
 * byte[] encoder = EncoderGraph.checkedCut(model, EmbeddingLayerGraph.find(model), EncoderRewrite.FUSED_PACKED);
 * }</pre>
 */
public final class EncoderGraph {
    /** Name of the encoder's float input. */
    public static final String INPUTS_EMBEDS = "inputs_embeds";
    /** Name of the encoder's mask input. */
    public static final String ATTENTION_MASK = "attention_mask";

    private EncoderGraph() {
    }

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(EncoderGraph.class);

    /**
     * Cuts the graph and returns the serialized encoder model, rewritten as asked wherever the model's operators
     * match the rewrite's pattern (unchecked: see {@link #checkedCut}).
     */
    public static byte[] cut(OnnxModelFile model, EmbeddingLayerGraph layer, EncoderRewrite rewrite) {
        boolean fuseAttention = rewrite.fuses();
        boolean packTokens = rewrite.packs();
        GraphProto g = model.graph();
        String cutAt = layer.outputName();
        String mask = layer.attentionName();
        if (mask == null) {
            throw new IllegalArgumentException(model.path() + ": the model has no attention_mask input");
        }
        Set<String> embeddingInputs = new HashSet<>(EmbeddingLayerGraph.aliases(model, layer.inputIdsName()));
        if (layer.tokenTypeName() != null) {
            embeddingInputs.addAll(EmbeddingLayerGraph.aliases(model, layer.tokenTypeName()));
        }
        String tokenOutput = tokenOutput(model);

        // Rewire: consumers of the LayerNorm output read inputs_embeds; Shape(input_ids) becomes Shape(mask).
        GraphProto.Builder out = GraphProto.newBuilder().setName(g.getName() + "_encoder");
        List<NodeProto> nodes = new java.util.ArrayList<>();
        for (NodeProto n : g.getNodeList()) {
            NodeProto.Builder b = n.toBuilder();
            for (int i = 0; i < b.getInputCount(); i++) {
                String in = b.getInput(i);
                if (in.equals(cutAt)) {
                    b.setInput(i, INPUTS_EMBEDS);
                } else if (embeddingInputs.contains(in) && n.getOpType().equals("Shape")) {
                    b.setInput(i, mask); // same [batch, seq] shape
                }
            }
            nodes.add(b.build());
        }
        List<TensorProto> addedInitializers = List.of();
        boolean fused = false;
        if (fuseAttention) {
            AttentionFusion.Result r = AttentionFusion.apply(nodes, g.getInitializerList(), mask);
            nodes = r.nodes();
            addedInitializers = r.newInitializers();
            fused = r.fused() > 0;
        }
        // Keep what the outputs need.
        Set<String> needed = new HashSet<>();
        Deque<String> work = new ArrayDeque<>();
        work.add(tokenOutput);
        GraphIndex index = new GraphIndex(nodes, g.getInitializerList());
        Set<NodeProto> keep = new HashSet<>();
        while (!work.isEmpty()) {
            String v = work.pop();
            if (!needed.add(v)) {
                continue;
            }
            NodeProto p = index.producer(v);
            if (p != null && keep.add(p)) {
                work.addAll(p.getInputList());
            }
        }
        for (String in : embeddingInputs) {
            if (needed.contains(in)) {
                throw new IllegalArgumentException(model.path() + ": the transformer layers read " + in
                        + " directly; the graph cannot be cut after the embedding layer");
            }
        }
        List<NodeProto> kept = new java.util.ArrayList<>();
        for (NodeProto n : nodes) {
            if (keep.contains(n)) {
                kept.add(n);
            }
        }
        TokenPacking.Result packed = !fused || !packTokens ? null : TokenPacking.apply(kept, INPUTS_EMBEDS, mask,
                List.of(tokenOutput), layer.hidden(), opset(model));
        out.addAllNode(packed != null ? packed.nodes() : kept);
        for (TensorProto t : g.getInitializerList()) {
            if (needed.contains(t.getName())) {
                out.addInitializer(t);
            }
        }
        for (TensorProto t : addedInitializers) {
            out.addInitializer(t);
        }
        out.addInput(ValueInfoProto.newBuilder().setName(INPUTS_EMBEDS).setType(floatType(layer.hidden())));
        for (ValueInfoProto in : g.getInputList()) {
            if (in.getName().equals(mask)) {
                out.addInput(in.toBuilder().setName(ATTENTION_MASK));
            }
        }
        if (!mask.equals(ATTENTION_MASK)) {
            throw new IllegalArgumentException(model.path() + ": attention mask input is named " + mask);
        }
        for (ValueInfoProto o : g.getOutputList()) {
            if (o.getName().equals(tokenOutput)) {
                out.addOutput(o);
            }
        }
        if (packed != null) {
            // The export's shapes of inner values say [batch, seq, hidden]; packed, they are [1, tokens, hidden].
            out.addAllInitializer(packed.initializers()).addAllValueInfo(packed.valueInfo());
        } else {
            for (ValueInfoProto v : g.getValueInfoList()) {
                if (needed.contains(v.getName())) {
                    out.addValueInfo(v);
                }
            }
        }
        ModelProto.Builder cut = model.proto().toBuilder().setGraph(out);
        if (packed != null) {
            cut.addMetadataProps(ai.onnx.proto.OnnxMl.StringStringEntryProto.newBuilder()
                    .setKey(TokenPacking.METADATA_KEY).setValue("true"));
        }
        if (fused && cut.getOpsetImportList().stream().noneMatch(o -> o.getDomain().equals("com.microsoft"))) {
            cut.addOpsetImport(ai.onnx.proto.OnnxMl.OperatorSetIdProto.newBuilder().setDomain("com.microsoft").setVersion(1));
        }
        return cut.build().toByteArray();
    }

    /**
     * The graph output holding the contextual token vectors: {@code last_hidden_state} (transformers' exports),
     * {@code token_embeddings} (sentence-transformers' exports, beside {@code sentence_embedding}), else the one
     * output of rank 3. Outputs already pooled ({@code pooler_output}, {@code sentence_embedding}) are left out of
     * the cut: pooling is ours.
     *
     * @throws IllegalArgumentException naming the outputs, when none holds token vectors
     */
    public static String tokenOutput(OnnxModelFile model) {
        List<ValueInfoProto> outputs = model.graph().getOutputList();
        for (String name : List.of("last_hidden_state", "token_embeddings")) {
            if (outputs.stream().anyMatch(o -> o.getName().equals(name))) {
                return name;
            }
        }
        List<String> rank3 = outputs.stream().filter(o -> o.getType().getTensorType().getShape().getDimCount() == 3)
                .map(ValueInfoProto::getName).toList();
        if (rank3.size() == 1) {
            return rank3.get(0);
        }
        throw new IllegalArgumentException(model.path() + ": no graph output holds the token vectors (outputs: "
                + outputs.stream().map(ValueInfoProto::getName).toList() + "); bert-embed pools last_hidden_state or"
                + " token_embeddings [batch, sequence, hidden] itself");
    }

    /**
     * As {@link #cut}, but a rewritten graph is used only where it computes what the model's own operators do (see
     * {@link RewriteCheck}): else the next plainer rewrite, down to the plain cut, with a warning naming the
     * difference.
     */
    public static byte[] checkedCut(OnnxModelFile model, EmbeddingLayerGraph layer, EncoderRewrite rewrite) {
        byte[] plain = cut(model, layer, EncoderRewrite.PLAIN);
        for (EncoderRewrite r = rewrite; r != EncoderRewrite.PLAIN; r = r.fallback()) {
            byte[] rewritten = cut(model, layer, r);
            if (java.util.Arrays.equals(rewritten, plain)) {
                return plain; // nothing matched the attention pattern: nothing rewritten
            }
            String problem = RewriteCheck.disagreement(rewritten, plain, layer.hidden());
            if (problem == null) {
                return rewritten;
            }
            LOG.warn("{}: the {} encoder is not used: {}", model.path(), r, problem);
        }
        return plain;
    }

    /** The graph's default-domain operator set version. */
    private static long opset(OnnxModelFile model) {
        return model.proto().getOpsetImportList().stream().filter(o -> o.getDomain().isEmpty()
                || o.getDomain().equals("ai.onnx")).mapToLong(ai.onnx.proto.OnnxMl.OperatorSetIdProto::getVersion)
                .max().orElse(0);
    }

    private static TypeProto floatType(int hidden) {
        TensorShapeProto shape = TensorShapeProto.newBuilder()
                .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam("batch_size"))
                .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam("sequence_length"))
                .addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(hidden))
                .build();
        return TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder()
                .setElemType(TensorProto.DataType.FLOAT_VALUE).setShape(shape)).build();
    }
}
