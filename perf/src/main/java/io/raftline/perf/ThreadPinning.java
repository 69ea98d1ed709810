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

    /**
     * @param namePrefix of the thread, as {@code comm} shows it.
     * @return its task directory, or null.
     */
    static String task(final String namePrefix)
    {
        final File[] tasks = new File("/proc/self/task").listFiles();
        for (final File task : null == tasks ? new File[0] : tasks)
        {
            try
            {
                if (Files.readString(task.toPath().resolve("comm")).trim().startsWith(namePrefix))
                {
                    return task.getPath();
                }
            }
            catch (final IOException ignore)
            {
                // The thread ended meanwhile.
            }
        }
        return null;
    }

    /**
     * @return the calling thread's task directory.
     */
    static String currentTask()
    {
        try
        {
            return "/proc/self/task/" + Path.of("/proc/thread-self").toRealPath().getFileName();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * @param task directory of the thread.
     * @return ns on a CPU, ns runnable but waiting for one, voluntary and involuntary context switches.
     */
    static long[] schedule(final String task)
    {
        final long[] values = new long[4];
        if (null == task)
        {
            return values;
        }
        try
        {
            final String[] schedstat = Files.readString(Path.of(task, "schedstat")).trim().split(" ");
            values[0] = Long.parseLong(schedstat[0]);
            values[1] = Long.parseLong(schedstat[1]);
            for (final String line : Files.readAllLines(Path.of(task, "status")))
            {
                if (line.startsWith("voluntary_ctxt_switches:"))
                {
                    values[2] = Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
                }
                else if (line.startsWith("nonvoluntary_ctxt_switches:"))
                {
                    values[3] = Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
                }
            }
        }
        catch (final IOException | RuntimeException ignore)
        {
            // Not Linux, or the thread ended: nothing to say.
        }
        return values;
    }

    /**
     * @param who    the thread, for the line.
     * @param before {@link #schedule} at the start.
     * @param after  {@link #schedule} at the end.
     * @return one line.
     */
    static String describe(final String who, final long[] before, final long[] after)
    {
        return String.format(java.util.Locale.ROOT, "%s thread: %.0f ms on a CPU, %.0f ms runnable but waiting for " +
            "one, %d voluntary and %d involuntary context switches", who, (after[0] - before[0]) / 1e6,
            (after[1] - before[1]) / 1e6, after[2] - before[2], after[3] - before[3]);
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
