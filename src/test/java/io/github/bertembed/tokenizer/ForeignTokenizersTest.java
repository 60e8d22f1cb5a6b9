package io.github.bertembed.tokenizer;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.bertembed.FullGraphReference;
import io.github.bertembed.SentenceEmbedder;
import io.github.bertembed.TinyBertModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Tokenizers that are not BERT's WordPiece on a BERT graph, as multilingual-e5-small and
 * paraphrase-multilingual-MiniLM-L12-v2 are (a BERT encoder with XLM-R's SentencePiece Unigram tokenizer): a
 * Unigram tokenizer.json shaped like XLM-R's (Metaspace, {@code <s> A </s>}) and a byte-level BPE one shaped like
 * RoBERTa's (ByteLevel, RobertaProcessing), written here; ids against HuggingFace tokenizers (DJL) with its own
 * special tokens and truncation, vectors against the full graph.
 */
class ForeignTokenizersTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> TEXTS = List.of("the cat sat on the mat", "The Queen, the King!", "",
            "naïve café 😀 東京", "  spaced   out  ", "dogs and cats and kings");

    @TempDir
    Path dir;

    /** XLM-R's layout: Unigram over pieces with ▁ word starts, NFKC, Metaspace, <s> A </s> (pair <s> A </s></s> B </s>). */
    static String unigram() throws Exception {
        List<String> pieces = new ArrayList<>(List.of("<s>", "<pad>", "</s>", "<unk>", "▁"));
        for (String w : List.of("the", "cat", "sat", "on", "mat", "queen", "king", "dog", "s", "and", "ca", "t")) {
            pieces.add("▁" + w);
            pieces.add(w);
        }
        for (char c = 'a'; c <= 'z'; c++) {
            pieces.add(String.valueOf(c));
        }
        pieces.addAll(List.of(",", "!", "T", "Q", "K", "東", "京", "é", "ï"));
        ObjectNode root = header(pieces, false);
        root.putObject("normalizer").put("type", "NFKC");
        root.putObject("pre_tokenizer").put("type", "Metaspace").put("replacement", "▁")
                .put("prepend_scheme", "always").put("split", true);
        ObjectNode post = root.putObject("post_processor");
        post.put("type", "TemplateProcessing");
        post.putArray("single").add(special("<s>")).add(sequence("A")).add(special("</s>"));
        post.putArray("pair").add(special("<s>")).add(sequence("A")).add(special("</s>")).add(special("</s>"))
                .add(sequence("B")).add(special("</s>"));
        ObjectNode specials = post.putObject("special_tokens");
        for (String s : List.of("<s>", "</s>")) {
            specials.putObject(s).put("id", s).putArray("ids").add(pieces.indexOf(s));
            ((ObjectNode) specials.get(s)).putArray("tokens").add(s);
        }
        root.putObject("decoder").put("type", "Metaspace").put("replacement", "▁").put("prepend_scheme", "always")
                .put("split", true);
        ObjectNode model = root.putObject("model");
        model.put("type", "Unigram").put("unk_id", 3).put("byte_fallback", false);
        ArrayNode vocab = model.putArray("vocab");
        for (int i = 0; i < pieces.size(); i++) {
            vocab.addArray().add(pieces.get(i)).add(i < 4 ? 0.0 : -1.0 - pieces.get(i).length() * 0.1 - i * 0.01);
        }
        return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root);
    }

    /** A tokenizer.json's top: no truncation or padding, the four specials of XLM-R and RoBERTa as added tokens. */
    private static ObjectNode header(List<String> vocab, boolean normalized) {
        ObjectNode root = JSON.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        for (String special : List.of("<s>", "<pad>", "</s>", "<unk>")) {
            added.addObject().put("id", vocab.indexOf(special)).put("content", special).put("single_word", false)
                    .put("lstrip", false).put("rstrip", false).put("normalized", normalized).put("special", true);
        }
        return root;
    }

    private static ObjectNode special(String id) {
        ObjectNode n = JSON.createObjectNode();
        n.putObject("SpecialToken").put("id", id).put("type_id", 0);
        return n;
    }

    private static ObjectNode sequence(String id) {
        ObjectNode n = JSON.createObjectNode();
        n.putObject("Sequence").put("id", id).put("type_id", 0);
        return n;
    }

    /** GPT-2's bytes-to-unicode table, as byte-level BPE vocabularies spell bytes. */
    private static Map<Integer, String> byteSymbols() {
        Map<Integer, String> out = new LinkedHashMap<>();
        int n = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            out.put(b, String.valueOf((char) (printable ? b : 256 + n++)));
        }
        return out;
    }

    /** RoBERTa's layout: byte-level BPE with a few merges, ByteLevel pre-tokenizer and decoder, RobertaProcessing. */
    static String bpe() throws Exception {
        List<String> vocab = new ArrayList<>(List.of("<s>", "<pad>", "</s>", "<unk>"));
        vocab.addAll(byteSymbols().values());
        List<String> merges = List.of("Ġ t", "h e", "Ġt he", "a t", "c at", "Ġ c", "Ġc at", "Ġ s", "Ġs at", "o n",
                "Ġ on", "Ġ m", "Ġm at", "i n", "in g", "Ġ k", "Ġk ing", "a n", "an d", "Ġ and");
        for (String m : merges) {
            vocab.add(m.replace(" ", ""));
        }
        ObjectNode root = header(vocab, true);
        root.putNull("normalizer");
        root.putObject("pre_tokenizer").put("type", "ByteLevel").put("add_prefix_space", false)
                .put("trim_offsets", true).put("use_regex", true);
        ObjectNode post = root.putObject("post_processor");
        post.put("type", "RobertaProcessing").put("trim_offsets", true).put("add_prefix_space", false);
        post.putArray("sep").add("</s>").add(2);
        post.putArray("cls").add("<s>").add(0);
        root.putObject("decoder").put("type", "ByteLevel").put("add_prefix_space", true).put("trim_offsets", true)
                .put("use_regex", true);
        ObjectNode model = root.putObject("model");
        model.put("type", "BPE").putNull("dropout");
        model.put("unk_token", "<unk>").put("fuse_unk", false).put("byte_fallback", false);
        ObjectNode v = model.putObject("vocab");
        for (int i = 0; i < vocab.size(); i++) {
            v.put(vocab.get(i), i);
        }
        ArrayNode m = model.putArray("merges");
        merges.forEach(m::add);
        return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root);
    }

    private Path modelWith(String name, String tokenizerJson) throws Exception {
        Path folder = dir.resolve(name);
        int rows = JSON.readTree(tokenizerJson).path("model").path("vocab").size();
        TinyBertModel.write(folder, 11, rows);
        Files.delete(folder.resolve("vocab.txt"));
        Files.writeString(folder.resolve("tokenizer.json"), tokenizerJson);
        return folder;
    }

    @Test
    void unigramIdsAreTheReferencesAndVectorsTheFullGraphs() throws Exception {
        check(modelWith("unigram-bert", unigram()), "Unigram");
    }

    @Test
    void byteLevelBpeIdsAreTheReferencesAndVectorsTheFullGraphs() throws Exception {
        check(modelWith("bpe-bert", bpe()), "BPE");
    }

    private void check(Path folder, String type) throws Exception {
        Path file = folder.resolve("tokenizer.json");
        BertTokenizer ours = BertTokenizer.fromFile(file);
        assertTrue(ours.description().startsWith(type + " (HuggingFace tokenizers via DJL"), ours.description());
        try (HuggingFaceTokenizer reference = HuggingFaceTokenizer.newInstance(file, Map.of("truncation", "false",
                "padding", "false"));
             HuggingFaceTokenizer truncating = HuggingFaceTokenizer.newInstance(file, Map.of("truncation", "true",
                     "maxLength", "6", "padding", "false"))) {
            BertTokenizer cut = ours.toBuilder().maxLength(6).truncation(TruncationStrategy.LONGEST_FIRST).build();
            for (String text : TEXTS) {
                var ref = reference.encode(text);
                Encoding e = ours.encode(text);
                assertArrayEquals(toInts(ref.getIds()), e.ids(), type + " ids: " + text);
                assertArrayEquals(toInts(ref.getTypeIds()), e.typeIds(), type + " type ids: " + text);
                assertArrayEquals(toInts(ref.getAttentionMask()), e.attentionMask(), text);
                assertArrayEquals(toInts(truncating.encode(text).getIds()), cut.encode(text).ids(), "truncated: " + text);
                var refPair = reference.encode(text, "the cat");
                assertArrayEquals(toInts(refPair.getIds()), ours.encode(text, "the cat").ids(), "pair: " + text);
                assertEquals(reference.decode(ref.getIds(), true), ours.decode(e.ids(), true), "decode: " + text);
            }
        }
        try (SentenceEmbedder model = SentenceEmbedder.builder().model(folder.toString()).build();
             FullGraphReference graph = new FullGraphReference(folder.resolve("model.onnx"), null)) {
            for (String text : TEXTS) {
                float[] expected = graph.sentence(model.tokenizer().encode(text), "mean");
                float[] actual = model.embed(text);
                for (int i = 0; i < expected.length; i++) {
                    assertEquals(expected[i], actual[i], 1e-5, type + " vector: " + text);
                }
            }
        }
    }

    @Test
    void withoutDjlOnTheClassPathTheErrorNamesTheDependency() throws Exception {
        Path file = modelWith("unigram-bert", unigram()).resolve("tokenizer.json");
        String classPath = java.util.Arrays.stream(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
                .filter(entry -> !entry.contains("/ai/djl/")).reduce((a, b) -> a + java.io.File.pathSeparator + b)
                .orElseThrow();
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                classPath, "io.github.bertembed.cli.Main", "tokenize", "--model", file.getParent().toString(), "hello")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(2, p.waitFor(), out); // a bad model: exit 2, as every refusal of the CLI
        assertTrue(out.contains("the tokenizer model is 'Unigram', not WordPiece") && out.contains("add"
                + " ai.djl.huggingface:tokenizers to the classpath"), out);
        assertTrue(out.lines().count() == 1 && !out.contains("\tat "), "one line, no stack trace: " + out);
    }

    private static int[] toInts(long[] values) {
        int[] out = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (int) values[i];
        }
        return out;
    }
}
