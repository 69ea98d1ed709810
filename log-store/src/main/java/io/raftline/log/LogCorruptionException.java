package io.raftline.log;

import java.nio.file.Path;

/**
 * Durable state on disk is not what this member wrote: a record fails its checksum, a file is shorter than its own
 * header says, a file in the middle of the log is missing. The store that finds it refuses to open rather than serve
 * wrong data; the message names the file and the byte offset so an operator can inspect or restore it.
 */
public final class LogCorruptionException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /**
     * Value of {@link #offset()} when the problem is not at one place in the file (a missing file, a bad length).
     */
    public static final long NO_OFFSET = -1;

    private final transient Path file;
    private final long offset;

    /**
     * @param file   in which the corruption was found.
     * @param offset of the bad bytes in the file, or {@link #NO_OFFSET}.
     * @param reason what is wrong, in words.
     */
    public LogCorruptionException(final Path file, final long offset, final String reason)
    {
        super(describe(file, offset, reason));
        this.file = file;
        this.offset = offset;
    }

    /**
     * @param file   in which the corruption was found.
     * @param offset of the bad bytes in the file, or {@link #NO_OFFSET}.
     * @param reason what is wrong, in words.
     * @param cause  the error that revealed it.
     */
    public LogCorruptionException(final Path file, final long offset, final String reason, final Throwable cause)
    {
        super(describe(file, offset, reason), cause);
        this.file = file;
        this.offset = offset;
    }

    /**
     * @return the file in which the corruption was found.
     */
    public Path file()
    {
        return file;
    }

    /**
     * @return the byte offset of the corruption in {@link #file()}, or {@link #NO_OFFSET}.
     */
    public long offset()
    {
        return offset;
    }

    private static String describe(final Path file, final long offset, final String reason)
    {
        return NO_OFFSET == offset ?
            "corrupt " + file + ": " + reason :
            "corrupt " + file + " at offset " + offset + ": " + reason;
    }
}
