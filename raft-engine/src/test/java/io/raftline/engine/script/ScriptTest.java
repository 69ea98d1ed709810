package io.raftline.engine.script;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs every interaction script in {@code src/test/resources/raft-scripts} and compares its transcript with the
 * golden output in the same file. {@code -Draftline.script.rewrite=true} writes this run's transcripts into the
 * files instead (read the diff before committing it: a golden that records wrong behaviour is a bug).
 */
class ScriptTest
{
    static final String REWRITE_PROPERTY = "raftline.script.rewrite";

    @TestFactory
    Stream<DynamicTest> scripts() throws IOException
    {
        final Path directory = scriptDirectory();
        final List<Path> files;
        try (Stream<Path> list = Files.list(directory))
        {
            files = list.filter((path) -> path.toString().endsWith(".txt")).sorted().toList();
        }
        assertFalse(files.isEmpty(), "no scripts in " + directory);
        return files.stream().map((file) -> DynamicTest.dynamicTest(file.getFileName().toString(), () -> run(file)));
    }

    private static void run(final Path file) throws IOException
    {
        final String golden = ScriptFile.normalize(Files.readString(file, StandardCharsets.UTF_8));
        final ScriptRunner runner = new ScriptRunner();
        final String actual = new ScriptFile(golden).transcript(runner::run);
        if (Boolean.getBoolean(REWRITE_PROPERTY))
        {
            if (!actual.equals(golden))
            {
                Files.writeString(file, actual, StandardCharsets.UTF_8);
                System.out.println("rewrote " + file + ":\n" + ScriptFile.diff(golden, actual));
            }
            return;
        }
        if (!actual.equals(golden))
        {
            final String diff = ScriptFile.diff(golden, actual);
            System.out.println("transcript of " + file + " differs from its golden output:\n" + diff);
            assertEquals(golden, actual, file.getFileName() + " differs from its golden output " +
                "(- golden, + this run; rewrite with -D" + REWRITE_PROPERTY + "=true):\n" + diff);
        }
    }

    private static Path scriptDirectory()
    {
        final Path relative = Path.of("src", "test", "resources", "raft-scripts");
        for (final String base : new String[]{System.getProperty("basedir"), System.getProperty("user.dir"),
            Path.of(System.getProperty("user.dir"), "raft-engine").toString()})
        {
            if (null != base && Files.isDirectory(Path.of(base).resolve(relative)))
            {
                return Path.of(base).resolve(relative);
            }
        }
        throw new IllegalStateException("cannot find " + relative + " from basedir or the working directory");
    }

    // ------------------------------------------------------------------------------------------ the format itself

    @Test
    void transcriptKeepsCommentsAndReplacesStaleOutput()
    {
        final String script = """
            # a comment
            print-messages
            ----
            stale output

            print-messages
            """;
        final String transcript = new ScriptFile(script).transcript((command) -> List.of("out of " + command));
        assertEquals("""
            # a comment
            print-messages
            ----
            out of print-messages

            print-messages
            ----
            out of print-messages
            """, transcript);
        assertEquals(transcript, new ScriptFile(transcript).transcript((command) -> List.of("out of " + command)),
            "a rendered transcript renders to itself");
    }

    @Test
    void diffShowsChangedLinesWithGoldenLineNumber()
    {
        final String diff = ScriptFile.diff("a\nb\nc\nd\n", "a\nb\nX\nd\n");
        assertTrue(diff.contains("- c\n+ X\n"), diff);
        assertTrue(diff.contains("@@ golden line 1"), diff);
    }

    @Test
    void badCommandNamesItsLine()
    {
        final ScriptRunner runner = new ScriptRunner();
        final IllegalStateException failure = assertThrows(IllegalStateException.class,
            () -> new ScriptFile("members 1 2 3\n\nfrobnicate 2\n").transcript(runner::run));
        assertTrue(failure.getMessage().startsWith("line 3: 'frobnicate 2' failed: unknown command"),
            failure.getMessage());
    }

    @Test
    void safetyViolationFailsTheScriptAtItsLine()
    {
        // Two logs with the same term at index 1 but different entries: Log Matching does not hold.
        final ScriptRunner runner = new ScriptRunner();
        final IllegalStateException failure = assertThrows(IllegalStateException.class,
            () -> new ScriptFile("members 1 2 3\nlog 1: 1/1=a\nlog 2: 1/1=b\nstart\n").transcript(runner::run));
        assertTrue(failure.getMessage().startsWith("line 4: 'start' failed: invariant violated: log matching"),
            failure.getMessage());
    }
}
