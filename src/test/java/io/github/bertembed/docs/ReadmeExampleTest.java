package io.github.bertembed.docs;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The README's complete Java examples (a block that declares a class) compile as written, against this build. */
class ReadmeExampleTest {
    @TempDir
    Path dir;

    @Test
    void completeJavaExamplesCompile() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        Matcher block = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL).matcher(readme);
        List<Path> sources = new ArrayList<>();
        while (block.find()) {
            String code = block.group(1);
            Matcher name = Pattern.compile("public class (\\w+)").matcher(code);
            if (name.find()) {
                sources.add(Files.writeString(dir.resolve(name.group(1) + ".java"), code));
            }
        }
        assertFalse(sources.isEmpty(), "the README has a complete Java example");
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        try (StandardJavaFileManager files = compiler.getStandardFileManager(diagnostics, null, null)) {
            boolean ok = compiler.getTask(null, files, diagnostics,
                    List.of("-classpath", System.getProperty("java.class.path"), "-d", dir.toString()), null,
                    files.getJavaFileObjectsFromPaths(sources)).call();
            assertTrue(ok, diagnostics.getDiagnostics().toString());
        }
    }
}
