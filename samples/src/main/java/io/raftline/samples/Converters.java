package io.raftline.samples;

import io.raftline.engine.agent.ClusterMembers;
import io.raftline.engine.agent.IdleStrategies;
import io.raftline.engine.agent.StorageType;
import io.raftline.log.Durability;
import org.agrona.SystemUtil;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * The command line's value types, read with the parsers the system properties use, so that a wrong value is a usage
 * error naming the option rather than a failure when the member starts.
 */
final class Converters
{
    private Converters()
    {
    }

    /**
     * A duration such as {@code 10s}, {@code 150ms} or {@code 5000000ns} (Agrona's syntax), in nanoseconds.
     */
    static final class DurationNs implements ITypeConverter<Long>
    {
        public Long convert(final String value)
        {
            try
            {
                return SystemUtil.parseDuration("duration", value);
            }
            catch (final NumberFormatException ex)
            {
                throw new TypeConversionException("'" + value + "' is not a duration (e.g. 10s, 150ms)");
            }
        }
    }

    /**
     * {@code none}, {@code batch} or {@code each}.
     */
    static final class DurabilityValue implements ITypeConverter<Durability>
    {
        public Durability convert(final String value)
        {
            try
            {
                return Durability.parse(value);
            }
            catch (final IllegalArgumentException ex)
            {
                throw new TypeConversionException(ex.getMessage());
            }
        }
    }

    /**
     * {@code file} or {@code memory}.
     */
    static final class StorageValue implements ITypeConverter<StorageType>
    {
        public StorageType convert(final String value)
        {
            try
            {
                return StorageType.parse(value);
            }
            catch (final IllegalArgumentException ex)
            {
                throw new TypeConversionException(ex.getMessage());
            }
        }
    }

    /**
     * An idle strategy name ({@code busy}, {@code yield}, {@code backoff}, {@code sleep-1ms}, ...), checked.
     */
    static final class IdleValue implements ITypeConverter<String>
    {
        public String convert(final String value)
        {
            try
            {
                IdleStrategies.type(value);
                IdleStrategies.sleepNs(value);
                return value;
            }
            catch (final IllegalArgumentException ex)
            {
                throw new TypeConversionException(ex.getMessage());
            }
        }
    }

    /**
     * A members list {@code id@host:port,...}, checked as the member and the client will read it.
     */
    static final class MembersValue implements ITypeConverter<String>
    {
        public String convert(final String value)
        {
            try
            {
                ClusterMembers.parse(value);
                return value;
            }
            catch (final IllegalArgumentException ex)
            {
                throw new TypeConversionException(ex.getMessage());
            }
        }
    }
}
