package io.github.bertembed.onnx;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
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
 * <p>The cut graph is cached on disk so the cut happens once per model file: in {@code .bert-embed/} inside the
 * model folder, or, where that folder is read-only, under {@code ~/.cache/bert-embed/}. The file name carries
 * the model file's SHA-256, and a sidecar holds the cut graph's own SHA-256: a corrupt cache is detected and
 * rebuilt.
 */
public final class EncoderGraph {
    /** Name of the encoder's float input. */
    public static final String INPUTS_EMBEDS = "inputs_embeds";
    /** Name of the encoder's mask input. */
    public static final String ATTENTION_MASK = "attention_mask";

    private EncoderGraph() {
    }

    /**
     * Name the fused and the fused, token-packing cuts in the cache; a new value whenever their rewrite changes (v3
     * and v2: the cached graph is the one {@link #checkedCut} chose).
     */
    private static final String FUSED_SUFFIX = "-fused-v3";
    private static final String PACKED_SUFFIX = "-fused-packed-v2";
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(EncoderGraph.class);

    /** Cuts the graph and returns the serialized encoder model. */
    public static byte[] cut(OnnxModelFile model, EmbeddingLayerGraph layer) {
        return cut(model, layer, false);
    }

    /**
     * Cuts the graph; with {@code fuseAttention}, also rewrites each fp32 self-attention block into onnxruntime's
     * fused Attention operator (see {@link AttentionFusion}).
     */
    public static byte[] cut(OnnxModelFile model, EmbeddingLayerGraph layer, boolean fuseAttention) {
        return cut(model, layer, fuseAttention, false);
    }

    /**
     * As {@link #cut(OnnxModelFile, EmbeddingLayerGraph, boolean)}; with {@code packTokens} too, where every
     * attention block fused, the layers' position-wise part runs on the real tokens only (see {@link TokenPacking}).
     */
    public static byte[] cut(OnnxModelFile model, EmbeddingLayerGraph layer, boolean fuseAttention,
                             boolean packTokens) {
        GraphProto g = model.graph();
        String cutAt = layer.outputName();
        String mask = layer.attentionName();
        if (mask == null) {
            throw new IllegalArgumentException(model.path() + ": the model has no attention_mask input");
        }
        Set<String> embeddingInputs = new HashSet<>();
        embeddingInputs.add(layer.inputIdsName());
        if (layer.tokenTypeName() != null) {
            embeddingInputs.add(layer.tokenTypeName());
        }

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
        for (ValueInfoProto o : g.getOutputList()) {
            work.add(o.getName());
        }
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
                g.getOutputList().stream().map(ValueInfoProto::getName).toList(), layer.hidden(), opset(model));
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
        out.addAllOutput(g.getOutputList());
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
     * As {@link #cut(OnnxModelFile, EmbeddingLayerGraph, boolean, boolean)}, but a rewritten graph is used only
     * where it computes what the model's own operators do (see {@link RewriteCheck}): else the fused graph without
     * packing, else the plain cut, with a warning naming the difference. Without a rewrite asked (or matched), the
     * plain cut as it is.
     */
    public static byte[] checkedCut(OnnxModelFile model, EmbeddingLayerGraph layer, boolean fuseAttention,
                                    boolean packTokens) {
        byte[] plain = cut(model, layer, false, false);
        if (!fuseAttention) {
            return plain;
        }
        List<Boolean> packing = packTokens ? List.of(true, false) : List.of(false);
        for (boolean pack : packing) {
            byte[] rewritten = cut(model, layer, true, pack);
            if (java.util.Arrays.equals(rewritten, plain)) {
                return plain; // nothing matched the attention pattern: nothing rewritten
            }
            String problem = RewriteCheck.disagreement(rewritten, plain, layer.hidden());
            if (problem == null) {
                return rewritten;
            }
            LOG.warn("{}: the {} encoder is not used: {}", model.path(),
                    pack ? "attention-fused, token-packing" : "attention-fused", problem);
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

    /**
     * The cached encoder graph for a model, cutting and caching it when needed.
     *
     * @return the path of the cut graph, or null when no cache folder is writable (the caller then uses bytes)
     */
    public static Path cached(OnnxModelFile model, EmbeddingLayerGraph layer, List<Path> cacheDirs) throws IOException {
        return cached(model, layer, cacheDirs, false);
    }

    /** As {@link #cached(OnnxModelFile, EmbeddingLayerGraph, List)}, for the plain or the attention-fused cut. */
    public static Path cached(OnnxModelFile model, EmbeddingLayerGraph layer, List<Path> cacheDirs,
                              boolean fuseAttention) throws IOException {
        return cached(model, layer, cacheDirs, fuseAttention, false);
    }

    /** As {@link #cached(OnnxModelFile, EmbeddingLayerGraph, List, boolean)}, packing tokens too where asked. */
    public static Path cached(OnnxModelFile model, EmbeddingLayerGraph layer, List<Path> cacheDirs,
                              boolean fuseAttention, boolean packTokens) throws IOException {
        String name = "encoder-" + model.sha256().substring(0, 32)
                + (!fuseAttention ? "" : packTokens ? PACKED_SUFFIX : FUSED_SUFFIX) + ".onnx";
        for (Path dir : cacheDirs) {
            Path file = dir.resolve(name);
            if (isIntact(file)) {
                return file;
            }
        }
        byte[] bytes = checkedCut(model, layer, fuseAttention, packTokens);
        for (Path dir : cacheDirs) {
            try {
                Files.createDirectories(dir);
                Path file = dir.resolve(name);
                Path tmp = Files.createTempFile(dir, name, ".tmp");
                try {
                    Files.write(tmp, bytes);
                    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                } finally {
                    Files.deleteIfExists(tmp);
                }
                Files.writeString(checksumFile(file), OnnxModelFile.sha256(bytes), StandardCharsets.US_ASCII);
                return file;
            } catch (IOException e) {
                // read-only, full or otherwise unwritable: try the next folder
            }
        }
        return null;
    }

    /** The default cache folders for a model: beside it, then the user's cache. */
    public static List<Path> defaultCacheDirs(Path modelFolder) {
        List<Path> dirs = new java.util.ArrayList<>();
        dirs.add(modelFolder.resolve(".bert-embed"));
        String home = System.getProperty("user.home");
        if (home != null) {
            dirs.add(Path.of(home, ".cache", "bert-embed"));
        }
        return dirs;
    }

    private static Path checksumFile(Path file) {
        return file.resolveSibling(file.getFileName() + ".sha256");
    }

    private static boolean isIntact(Path file) throws IOException {
        Path sum = checksumFile(file);
        if (!Files.isRegularFile(file) || !Files.isRegularFile(sum)) {
            return false;
        }
        String expected = Files.readString(sum, StandardCharsets.US_ASCII).trim();
        return expected.equals(OnnxModelFile.sha256(Files.readAllBytes(file)));
    }
}
