package io.github.bertembed.cli;

import io.github.bertembed.TestData;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code quantize} as a user runs it: the folder it writes embeds through {@code embed}, and bad input is one line. */
@Tag("reference")
class QuantizeCommandTest {
    @TempDir
    Path dir;

    @Test
    void quantizeWritesAFolderThatEmbedLoadsAndPrintsTheReport() throws Exception {
        StringBuilder lines = new StringBuilder();
        for (String t : TestData.english().subList(0, 16)) {
            lines.append(t.replace('\n', ' ')).append('\n');
        }
        Path texts = Files.writeString(dir.resolve("texts.txt"), lines);
        Path out = dir.resolve("int8");
        CliTestSupport.Result r = CliTestSupport.run("quantize", "--model", TestData.model("all-minilm-l6-v2").toString(),
                "--output", out.toString(), "--calibration", texts.toString());
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains("cosine to fp32 over 16 texts: min 0.9") && r.out().contains("top-10 neighbours")
                && r.out().contains("docs/s"), r.out());
        assertTrue(Files.isRegularFile(out.resolve("quantization.json")) && Files.isRegularFile(out.resolve("modules.json")));
        CliTestSupport.Result embedded = CliTestSupport.run("embed", "--model", out.toString(), "a fox sleeps");
        assertEquals(0, embedded.exitCode(), embedded.err());
        assertTrue(embedded.out().startsWith("{\"index\":0,\"embedding\":["), embedded.out());

        CliTestSupport.Result again = CliTestSupport.run("quantize", "--model", out.toString(), "--output",
                dir.resolve("twice").toString(), "--calibration", texts.toString());
        assertEquals(2, again.exitCode());
        assertTrue(again.err().strip().matches("error: .*is already quantized: quantize the fp32 model it was made from"),
                again.err());
        CliTestSupport.Result badLayers = CliTestSupport.run("quantize", "--model", TestData.model("all-minilm-l6-v2")
                .toString(), "--output", dir.resolve("x").toString(), "--keep-fp32", "two", "--calibration", texts.toString());
        assertEquals(2, badLayers.exitCode());
        assertEquals("error: --keep-fp32 takes layer numbers from 0, comma-separated, not 'two'", badLayers.err().strip());
    }
}
