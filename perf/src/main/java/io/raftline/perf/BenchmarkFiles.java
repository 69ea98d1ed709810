package io.raftline.perf;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Where benchmarks put their files: fresh directories under {@code raftline.bench.dir} (default: the JVM's temporary
 * directory, on disk, so page-cache and fsync costs are those of the machine's real disk).
 */
final class BenchmarkFiles
{
    private BenchmarkFiles()
    {
    }

    static Path newDirectory(final String prefix)
    {
        try
        {
            final Path base = Paths.get(System.getProperty("raftline.bench.dir", System.getProperty("java.io.tmpdir")));
            Files.createDirectories(base);
            return Files.createTempDirectory(base, prefix);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    static void delete(final Path directory)
    {
        if (null == directory)
        {
            return;
        }
        try (Stream<Path> files = Files.walk(directory))
        {
            files.sorted(Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
