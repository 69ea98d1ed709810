package io.raftline.perf;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Pins threads of this process to a CPU with {@code taskset} (Linux), by the name the kernel knows them by
 * ({@code /proc/self/task/<tid>/comm}, 15 characters at most). For measuring thread layouts, not for production.
 */
final class ThreadPinning
{
    private ThreadPinning()
    {
    }

    /**
     * @param namePrefix of the threads, as {@code comm} shows it.
     * @param cpu        to pin them to.
     * @return threads pinned.
     */
    static int pin(final String namePrefix, final int cpu)
    {
        int pinned = 0;
        final File[] tasks = new File("/proc/self/task").listFiles();
        if (null == tasks)
        {
            return 0;
        }
        for (final File task : tasks)
        {
            try
            {
                final String name = Files.readString(task.toPath().resolve("comm")).trim();
                if (name.startsWith(namePrefix))
                {
                    taskset(task.getName(), cpu);
                    pinned++;
                }
            }
            catch (final IOException ignore)
            {
                // The thread ended meanwhile.
            }
        }
        return pinned;
    }

    /**
     * @param cpu to pin the calling thread to.
     */
    static void pinCurrent(final int cpu)
    {
        try
        {
            taskset(Path.of("/proc/thread-self").toRealPath().getFileName().toString(), cpu);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private static void taskset(final String tid, final int cpu)
    {
        try
        {
            final Process process = new ProcessBuilder("taskset", "-pc", Integer.toString(cpu), tid)
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!process.waitFor(10, TimeUnit.SECONDS) || 0 != process.exitValue())
            {
                throw new IllegalStateException("taskset -pc " + cpu + " " + tid + " failed");
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }
}
