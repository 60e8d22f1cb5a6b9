package io.github.bertembed.quantize;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.bertembed.SentenceEmbedder;
import io.github.bertembed.model.ModelFolder;
import io.github.bertembed.model.ModelLocation;
import io.github.bertembed.model.Models;
import io.github.bertembed.onnx.EmbeddingLayerGraph;
import io.github.bertembed.onnx.EncoderGraph;
import io.github.bertembed.onnx.EncoderRewrite;
import io.github.bertembed.onnx.OnnxModelFile;
import io.github.bertembed.pooling.Pooling;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Our int8 model from any fp32 BERT-family model: the encoder cut after the embedding layer with its attention fused
 * and its tokens packed (as fp32 runs), every weight MatMul rewritten to int8 by {@link Int8GraphRewrite} (per-column
 * weights, per-token activations), and the model's own embedding layer put back in front, so the result is a whole
 * model ({@code input_ids}, {@code attention_mask}, ... to {@code last_hidden_state}) that onnxruntime runs as it is
 * and that bert-embed loads like any folder, batched and packed. The embedding tables stay fp32: they are looked up,
 * not multiplied, so int8 would save file size and no time, and their rounding would reach every layer. The folder
 * gets the tokenizer and sentence-transformers files (written from the source's settings where it has none) and
 * {@code quantization.json}: what was done and the accuracy report.
 *
 * <pre>{@code
 * QuantizationReport report = ModelQuantizer.quantize("all-minilm-l6-v2", Path.of("minilm-int8"), Set.of(), texts);
 * try (SentenceEmbedder int8 = SentenceEmbedder.builder().model("minilm-int8").build()) { ... }
 * }</pre>
 */
public final class ModelQuantizer {
    /** The file that records how a folder was quantized. */
    public static final String REPORT_FILE = "quantization.json";

    private ModelQuantizer() {
    }

    /**
     * Quantizes a model (a name, folder or jar) into {@code output}, then measures it against the source on the
     * calibration texts.
     *
     * @param keepFp32Layers layers (0-based) whose MatMuls stay fp32
     * @throws IllegalArgumentException for a model already quantized, an output that exists and is not empty, or no
     *                                  calibration texts
     */
    public static QuantizationReport quantize(String model, Path output, Set<Integer> keepFp32Layers,
                                              List<String> calibration) {
        if (calibration.isEmpty()) {
            throw new IllegalArgumentException("no calibration texts");
        }
        ModelLocation location = Models.locate(model);
        ModelFolder folder = ModelFolder.open(location);
        OnnxModelFile fp32 = folder.readGraph();
        if (fp32.isDynamicallyQuantized() || fp32.countOps("MatMulInteger") > 0 || fp32.countOps("QLinearMatMul") > 0
                || fp32.countOps("MatMulIntegerToFloat") > 0 || fp32.countOps("DequantizeLinear") > 0) {
            throw new IllegalArgumentException(folder.modelFile() + " is already quantized: quantize the fp32 model"
                    + " it was made from");
        }
        try {
            if (Files.isDirectory(output)) {
                try (Stream<Path> s = Files.list(output)) {
                    if (s.findAny().isPresent()) {
                        throw new IllegalArgumentException("the output folder " + output + " is not empty");
                    }
                }
            }
            // Written beside the output and moved into place whole: a failed run leaves no half folder.
            Path work = output.toAbsolutePath().resolveSibling(output.getFileName() + ".partial");
            deleteTree(work);
            Files.createDirectories(work);
            QuantizationReport report;
            try {
                report = write(model, location, folder, fp32, keepFp32Layers, calibration, work);
            } catch (IOException | RuntimeException e) {
                deleteTree(work);
                throw e;
            }
            Files.deleteIfExists(output); // an empty folder the caller made
            Files.move(work, output, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            return report;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the quantized model to " + output + ": " + e.getMessage(), e);
        }
    }

    private static QuantizationReport write(String model, ModelLocation location, ModelFolder folder,
                                            OnnxModelFile fp32, Set<Integer> keepFp32Layers, List<String> calibration,
                                            Path output) throws IOException {
        EmbeddingLayerGraph layer = EmbeddingLayerGraph.find(fp32);
        ModelProto encoder = ModelProto.parseFrom(EncoderGraph.checkedCut(fp32, layer, EncoderRewrite.FUSED_PACKED));
        Int8GraphRewrite.Result int8 = Int8GraphRewrite.apply(encoder, fp32.attentionLayers(), keepFp32Layers);
        Path modelFile = output.resolve("model.onnx");
        Files.write(modelFile, withEmbeddingLayer(fp32, layer, int8.model()).toByteArray());
        try (SentenceEmbedder source = SentenceEmbedder.builder().model(model).build()) {
            copySettings(folder, source, output);
            try (SentenceEmbedder quantized = SentenceEmbedder.builder().model(output.toString()).build()) {
                QuantizationReport report = QuantizationReport.measure(source, quantized, calibration,
                        Files.size(folder.modelFile()), Files.size(modelFile));
                write(output, location, int8, keepFp32Layers, fp32.attentionLayers(), report);
                return report;
            }
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(f);
            }
        }
    }

    /** The source's embedding layer (every node up to its LayerNorm output) in front of the int8 encoder. */
    static ModelProto withEmbeddingLayer(OnnxModelFile fp32, EmbeddingLayerGraph layer, ModelProto encoder) {
        GraphProto g = fp32.graph();
        java.util.Map<String, NodeProto> producers = new java.util.HashMap<>();
        for (NodeProto n : g.getNodeList()) {
            for (String o : n.getOutputList()) {
                producers.put(o, n);
            }
        }
        Set<NodeProto> embedding = new HashSet<>();
        Set<String> values = new HashSet<>();
        Deque<String> work = new ArrayDeque<>(List.of(layer.outputName()));
        while (!work.isEmpty()) {
            String v = work.pop();
            if (!values.add(v)) {
                continue;
            }
            NodeProto p = producers.get(v);
            if (p != null && embedding.add(p)) {
                work.addAll(p.getInputList());
            }
        }
        GraphProto.Builder out = GraphProto.newBuilder().setName(g.getName() + "_int8");
        for (NodeProto n : g.getNodeList()) {
            if (embedding.contains(n)) {
                out.addNode(n);
            }
        }
        for (NodeProto n : encoder.getGraph().getNodeList()) {
            NodeProto.Builder b = n.toBuilder();
            for (int i = 0; i < b.getInputCount(); i++) {
                if (b.getInput(i).equals(EncoderGraph.INPUTS_EMBEDS)) {
                    b.setInput(i, layer.outputName());
                }
            }
            out.addNode(b);
        }
        for (TensorProto t : g.getInitializerList()) {
            if (values.contains(t.getName())) {
                out.addInitializer(t);
            }
        }
        out.addAllInitializer(encoder.getGraph().getInitializerList());
        out.addAllInput(g.getInputList());
        out.addAllOutput(encoder.getGraph().getOutputList());
        for (ValueInfoProto v : encoder.getGraph().getValueInfoList()) {
            out.addValueInfo(v);
        }
        return encoder.toBuilder().setGraph(out).build();
    }

    /**
     * The tokenizer and sentence-transformers files of the source, and where it has none, sentence-transformers
     * files that say the settings it runs with (a known model's published pooling, normalization and maximum
     * length), so the folder embeds as its source does.
     */
    private static void copySettings(ModelFolder folder, SentenceEmbedder source, Path output) throws IOException {
        Path from = folder.location().folder();
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                String rel = from.relativize(f).toString();
                if (rel.endsWith(".onnx") || rel.endsWith(".onnx_data") || rel.startsWith("onnx")
                        || rel.equals(REPORT_FILE)) {
                    continue;
                }
                Path to = output.resolve(rel);
                Files.createDirectories(to.getParent());
                Files.copy(f, to);
            }
        }
        if (Files.isRegularFile(output.resolve("modules.json"))) {
            return;
        }
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        var modules = json.createArrayNode();
        modules.addObject().put("idx", 0).put("name", "0").put("path", "")
                .put("type", "sentence_transformers.models.Transformer");
        modules.addObject().put("idx", 1).put("name", "1").put("path", "1_Pooling")
                .put("type", "sentence_transformers.models.Pooling");
        if (source.normalizes()) {
            modules.addObject().put("idx", 2).put("name", "2").put("path", "2_Normalize")
                    .put("type", "sentence_transformers.models.Normalize");
        }
        json.writeValue(output.resolve("modules.json").toFile(), modules);
        Files.createDirectories(output.resolve("1_Pooling"));
        ObjectNode pooling = json.createObjectNode().put("word_embedding_dimension", source.inputEmbeddings().hidden());
        List<Pooling> modes = source.head().pooling();
        pooling.put("pooling_mode_cls_token", modes.contains(Pooling.CLS))
                .put("pooling_mode_mean_tokens", modes.contains(Pooling.MEAN))
                .put("pooling_mode_max_tokens", modes.contains(Pooling.MAX))
                .put("pooling_mode_mean_sqrt_len_tokens", modes.contains(Pooling.MEAN_SQRT_LEN))
                .put("pooling_mode_weightedmean_tokens", modes.contains(Pooling.WEIGHTED_MEAN))
                .put("pooling_mode_lasttoken", modes.contains(Pooling.LAST_TOKEN));
        json.writeValue(output.resolve("1_Pooling/config.json").toFile(), pooling);
        json.writeValue(output.resolve("sentence_bert_config.json").toFile(),
                json.createObjectNode().put("max_seq_length", source.maxLength()).put("do_lower_case", false));
    }

    private static void write(Path output, ModelLocation source, Int8GraphRewrite.Result int8, Set<Integer> keep,
                              int layers, QuantizationReport report) throws IOException {
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = json.createObjectNode();
        root.put("source", source.name()).put("source_origin", source.origin());
        ObjectNode method = root.putObject("method");
        method.put("weights", "int8, symmetric, one scale per output column (max |w| / 127)");
        method.put("activations", "per token: each row's own scale (max |x| / 127), int8 shifted to uint8 by 128;"
                + " a text's vector does not depend on its batch partners");
        method.put("kernel", "onnxruntime MatMulIntegerToFloat (u8 x s8), then the token scale");
        method.put("embedding_tables", "fp32: looked up, not multiplied (int8 would save size, no time)");
        method.put("encoder", "cut after the embedding layer, attention fused, tokens packed, as fp32 runs");
        method.put("layers", layers);
        method.put("matmuls_int8", int8.quantized());
        method.put("matmuls_fp32", int8.keptFp32());
        var kept = method.putArray("fp32_layers");
        new java.util.TreeSet<>(keep).forEach(kept::add);
        root.set("report", report.toJson(json));
        json.writeValue(output.resolve(REPORT_FILE).toFile(), root);
    }

    /** Parses "0,5" into layer indices. */
    public static Set<Integer> layers(String list) {
        Set<Integer> out = new LinkedHashSet<>();
        if (list == null || list.isBlank()) {
            return out;
        }
        for (String part : list.split(",")) {
            try {
                int layer = Integer.parseInt(part.trim());
                if (layer < 0) {
                    throw new NumberFormatException();
                }
                out.add(layer);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--keep-fp32 takes layer numbers from 0, comma-separated, not '"
                        + part.trim() + "'");
            }
        }
        return out;
    }
}
