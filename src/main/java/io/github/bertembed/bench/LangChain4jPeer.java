package io.github.bertembed.bench;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.onnx.OnnxEmbeddingModel;
import dev.langchain4j.model.embedding.onnx.PoolingMode;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * langchain4j's in-process embedding model on the same model files (the class its AllMiniLmL6V2EmbeddingModel
 * and BgeSmallZhV15EmbeddingModel extend), with its own defaults: one text per run, a pool of `cores` tasks,
 * and silent truncation at the tokenizer.json's max length.
 */
public final class LangChain4jPeer implements Peer {
    private final OnnxEmbeddingModel model;

    public LangChain4jPeer(Path folder, boolean cls) {
        this.model = new OnnxEmbeddingModel(folder.resolve("model.onnx"), folder.resolve("tokenizer.json"),
                cls ? PoolingMode.CLS : PoolingMode.MEAN);
    }

    public static final String NAME = "langchain4j";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String setting() {
        return "embedAll (truncates at tokenizer.json's max)";
    }

    @Override
    public int batchSize() {
        return 1;
    }

    @Override
    public float[] embed(String text) {
        return model.embed(text).content().vector();
    }

    @Override
    public List<float[]> embedAll(List<String> texts) {
        List<TextSegment> segments = new ArrayList<>(texts.size());
        for (String t : texts) {
            segments.add(TextSegment.from(t));
        }
        List<float[]> out = new ArrayList<>(texts.size());
        for (Embedding e : model.embedAll(segments).content()) {
            out.add(e.vector());
        }
        return out;
    }
}
