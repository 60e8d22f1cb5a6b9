package io.github.bertembed.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * The CLI's input: UTF-8 text from a file or stdin, one text per line (with {@code --pair}, two texts separated by
 * a TAB), or, for a {@code .jsonl} file, one {@code {"text": ..., "text_pair": ...}} object per line.
 * Blank lines of a JSONL file are skipped; in plain text a blank line is an (empty) text.
 */
final class InputRecords implements Iterator<InputRecords.Record>, AutoCloseable {

    /** One input: its 1-based line number, text, pair text (or null), and id (a String or a Number, or null). */
    record Record(long line, String text, String pair, Object id) {
    }

    /** Bad input, with the line or file it came from. */
    static final class BadInputException extends RuntimeException {
        BadInputException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private final InputStream in;
    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
    private byte[] line = new byte[8192];
    private final String source;
    private final boolean jsonl;
    private final boolean pair;
    private final String idField;
    private boolean idOptional;
    private long lineNumber;
    private Record next;

    private InputRecords(InputStream in, String source, boolean jsonl, boolean pair, String idField) {
        this.in = in;
        this.source = source;
        this.jsonl = jsonl;
        this.pair = pair;
        this.idField = idField;
        if (idField != null && !jsonl) {
            throw new BadInputException("--id-field reads a field of JSONL input; " + source + " is plain text (its"
                    + " records are numbered by \"index\")", null);
        }
    }

    /** Records whose JSONL "id" field, where present, is their id (else null). */
    InputRecords idWherePresent() {
        idOptional = true;
        return this;
    }

    static InputRecords open(Path file, boolean pair) {
        return open(file, pair, null);
    }

    /** @param idField the JSONL field holding each record's id, or null */
    static InputRecords open(Path file, boolean pair, String idField) {
        if (file == null) {
            return new InputRecords(new BufferedInputStream(System.in, 1 << 16), "<stdin>", false, pair, idField);
        }
        try {
            InputStream r = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
            return new InputRecords(r, file.toString(), file.getFileName().toString().endsWith(".jsonl"), pair,
                    idField);
        } catch (NoSuchFileException e) {
            throw new BadInputException("input file not found: " + file, e);
        } catch (IOException e) {
            throw new BadInputException("cannot read input file " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * How many records a file holds, counted by one pass over its bytes: its lines (for .jsonl, its non-blank
     * lines), so that progress can say "of N".
     */
    static long count(Path file) throws IOException {
        boolean jsonl = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".jsonl");
        long records = 0;
        boolean open = false;    // a line has started
        boolean content = false; // the line has a non-blank byte
        byte[] buf = new byte[1 << 16];
        try (InputStream in = java.nio.file.Files.newInputStream(file)) {
            for (int n; (n = in.read(buf)) > 0; ) {
                for (int i = 0; i < n; i++) {
                    byte b = buf[i];
                    if (b == '\n') {
                        records += !jsonl || content ? 1 : 0;
                        open = false;
                        content = false;
                    } else {
                        open = true;
                        content |= b != ' ' && b != '\t' && b != '\r';
                    }
                }
            }
        }
        return records + (open && (!jsonl || content) ? 1 : 0);
    }

    /** The next line without its terminator, or null at the end; each line is decoded on its own. */
    private String readLine() {
        int length = 0;
        int b;
        try {
            while ((b = in.read()) != -1) {
                if (b == '\n') {
                    break;
                }
                if (length == line.length) {
                    line = java.util.Arrays.copyOf(line, length * 2);
                }
                line[length++] = (byte) b;
            }
        } catch (IOException e) {
            throw new BadInputException("cannot read " + source + " at line " + (lineNumber + 1) + ": "
                    + e.getMessage(), e);
        }
        if (b == -1 && length == 0) {
            return null;
        }
        lineNumber++;
        if (length > 0 && line[length - 1] == '\r') {
            length--;
        }
        try {
            return decoder.decode(ByteBuffer.wrap(line, 0, length)).toString();
        } catch (CharacterCodingException e) {
            throw new BadInputException(source + " line " + lineNumber + ": not valid UTF-8", e);
        }
    }

    @Override
    public boolean hasNext() {
        while (next == null) {
            String line = readLine();
            if (line == null) {
                return false;
            }
            if (jsonl) {
                if (line.isBlank()) {
                    continue;
                }
                next = parseJson(line);
            } else if (pair) {
                int tab = line.indexOf('\t');
                if (tab < 0) {
                    throw new BadInputException(source + " line " + lineNumber
                            + ": --pair needs two texts separated by a TAB", null);
                }
                next = new Record(lineNumber, line.substring(0, tab), line.substring(tab + 1), null);
            } else {
                next = new Record(lineNumber, line, null, null);
            }
        }
        return true;
    }

    private Record parseJson(String line) {
        JsonNode node;
        try {
            node = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            throw new BadInputException(source + " line " + lineNumber + ": invalid JSON: " + e.getOriginalMessage(), e);
        }
        if (node == null || !node.isObject() || !node.path("text").isTextual()) {
            throw new BadInputException(source + " line " + lineNumber
                    + ": expected a JSON object with a string \"text\"", null);
        }
        JsonNode p = node.path("text_pair");
        if (!p.isMissingNode() && !p.isNull() && !p.isTextual()) {
            throw new BadInputException(source + " line " + lineNumber + ": \"text_pair\" must be a string", null);
        }
        String pairText = p.isTextual() ? p.asText() : null;
        if (pair && pairText == null) {
            throw new BadInputException(source + " line " + lineNumber + ": --pair needs a \"text_pair\"", null);
        }
        Object id = null;
        if (idField != null) {
            JsonNode i = node.get(idField);
            if (i == null && idOptional) {
                return new Record(lineNumber, node.get("text").asText(), pairText, null);
            }
            if (i == null || !(i.isTextual() || i.isIntegralNumber() || i.isNumber())) {
                throw new BadInputException(source + " line " + lineNumber + ": expected a string or number \""
                        + idField + "\" (--id-field)", null);
            }
            id = i.isTextual() ? i.asText() : i.isIntegralNumber() ? i.bigIntegerValue() : i.decimalValue();
        }
        return new Record(lineNumber, node.get("text").asText(), pairText, id);
    }

    @Override
    public Record next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        Record r = next;
        next = null;
        return r;
    }

    @Override
    public void close() {
        try {
            in.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
