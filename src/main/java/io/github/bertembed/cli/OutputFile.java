package io.github.bertembed.cli;

import io.github.bertembed.batch.VectorWriter;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * An {@code --output} file, written as {@code NAME.partial} beside it and moved into place only when the run
 * completes: a failed or stopped run never leaves a half file under the name a next step reads. The partial file
 * stays when it holds complete records, for {@code --resume}; the messages name it.
 */
final class OutputFile {
    private final Path output;
    private final Path partial;
    private Path written;

    OutputFile(Path output) {
        this.output = output;
        this.partial = output.resolveSibling(output.getFileName() + ".partial");
        this.written = partial;
    }

    /** The file the user named. */
    Path output() {
        return output;
    }

    /** Where a new run writes. */
    Path partial() {
        written = partial;
        return partial;
    }

    /** What {@code --resume} continues: the partial file of a stopped run, else the output itself, else a new one. */
    Path resumable() {
        written = Files.exists(partial) || !Files.exists(output) ? partial : output;
        return written;
    }

    /** On Ctrl-C or SIGTERM: says how many records are complete and where, and that --resume continues. */
    Thread onInterrupt(VectorWriter out) {
        Thread hook = new Thread(() -> System.err.println("interrupted: " + out.count() + " complete records in "
                + written + "; run the same command with --resume to continue"), "bert-embed-interrupted");
        Runtime.getRuntime().addShutdownHook(hook);
        return hook;
    }

    /**
     * After the run: a complete file moves into place; a failed run's partial file is removed when it holds no
     * record, and otherwise kept and named in the returned note (empty when there is nothing to say).
     */
    String finish(boolean complete, long records, Thread hook) throws IOException {
        if (hook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running: it says what is kept
            }
        }
        if (complete) {
            if (!written.equals(output)) {
                try {
                    Files.move(written, output, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(written, output, StandardCopyOption.REPLACE_EXISTING);
                }
            }
            return "";
        }
        if (records == 0 && written.equals(partial)) {
            Files.deleteIfExists(partial);
            return "";
        }
        return " (" + records + " complete records kept in " + written + ": the same command with --resume"
                + " continues)";
    }
}
