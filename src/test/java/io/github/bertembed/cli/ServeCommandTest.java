package io.github.bertembed.cli;

import io.github.bertembed.TestData;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code serve}'s refusals at start, as TEI's: a default prompt the model lacks, both prompt options at once. */
class ServeCommandTest {
    @Test
    void aDefaultPromptNameTheModelLacksStopsTheStartWithTeisWords() {
        var r = CliTestSupport.run("serve", "--port", "0", "--model-id",
                TestData.model("all-minilm-l6-v2").toString(), "--default-prompt-name", "query");
        assertNotEquals(0, r.exitCode(), r.out());
        assertTrue(r.err().contains("`default-prompt-name` is set to `query` but no prompts were found in the"
                + " Sentence Transformers configuration"), r.err());
        assertTrue(!r.out().contains("serving"), "no server started: " + r.out());
    }

    @Test
    void defaultPromptAndDefaultPromptNameConflictAsInTei() {
        var r = CliTestSupport.run("serve", "--port", "0", "--default-prompt", "query: ", "--default-prompt-name",
                "query");
        assertNotEquals(0, r.exitCode());
        assertTrue(r.err().contains("--default-prompt and --default-prompt-name cannot both be given"), r.err());
    }
}
