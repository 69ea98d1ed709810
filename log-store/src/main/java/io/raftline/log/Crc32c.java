package io.raftline.log;

import org.agrona.LangUtil;
import org.agrona.UnsafeApi;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.Method;
import java.util.zip.CRC32C;

/**
 * CRC32C over memory addresses, chainable across ranges, through the JDK's intrinsic (the same private method
 * Agrona's {@code Crc32c} calls; Agrona's computes one range only, and checking a record's checksum has to read
 * around its own field). Values equal {@link CRC32C#getValue()} over the same bytes, so any CRC32C implementation
 * can check them.
 * <p>
 * Needs {@code --add-opens java.base/java.util.zip=ALL-UNNAMED} (part of the parent pom's JVM flags).
 */
final class Crc32c
{
    /**
     * The running value to start a computation with.
     */
    static final int INITIAL = 0xFFFFFFFF;

    private static final MethodHandle UPDATE_DIRECT;
    private static final long ZEROS = UnsafeApi.allocateMemory(8);

    static
    {
        try
        {
            final Method method = CRC32C.class.getDeclaredMethod(
                "updateDirectByteBuffer", int.class, long.class, int.class, int.class);
            method.setAccessible(true);
            UPDATE_DIRECT = MethodHandles.lookup().unreflect(method);
            UnsafeApi.putLong(ZEROS, 0L);
        }
        catch (final ReflectiveOperationException | RuntimeException ex)
        {
            throw new ExceptionInInitializerError(
                "CRC32C over addresses needs --add-opens java.base/java.util.zip=ALL-UNNAMED: " + ex);
        }
    }

    private Crc32c()
    {
    }

    /**
     * Fold a range of memory into a running value.
     *
     * @param crc     running value, {@link #INITIAL} for the first range.
     * @param address of the first byte.
     * @param length  of the range.
     * @return the new running value.
     */
    static int update(final int crc, final long address, final int length)
    {
        try
        {
            return (int)UPDATE_DIRECT.invokeExact(crc, address, 0, length);
        }
        catch (final Throwable ex)
        {
            LangUtil.rethrowUnchecked(ex);
            return 0;
        }
    }

    /**
     * @param crc running value after the last range.
     * @return the checksum, as stored in records.
     */
    static int finish(final int crc)
    {
        return ~crc;
    }

    /**
     * Checksum of a range of memory.
     *
     * @param address of the first byte.
     * @param length  of the range.
     * @return the checksum.
     */
    static int of(final long address, final int length)
    {
        return finish(update(INITIAL, address, length));
    }

    /**
     * Checksum of a record that stores its own checksum, as it was computed when written: over the whole record
     * with the four bytes at {@code checksumOffset} taken as zero (the writer computes it with the field still 0).
     *
     * @param address        of the record.
     * @param length         of the record.
     * @param checksumOffset of the checksum field within the record.
     * @return the checksum.
     */
    static int ofRecord(final long address, final int length, final int checksumOffset)
    {
        int crc = update(INITIAL, address, checksumOffset);
        crc = update(crc, ZEROS, 4);
        final int afterField = checksumOffset + 4;
        crc = update(crc, address + afterField, length - afterField);
        return finish(crc);
    }
}
