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

    /**
     * A member that joins: its id and endpoint.
     *
     * @param id       of the member.
     * @param endpoint its {@code host:port}.
     */
    record NewMember(int id, String endpoint)
    {
    }

    /**
     * {@code ID@HOST:PORT}, checked as the member checks it, so a malformed endpoint is a usage error here.
     */
    static final class NewMemberValue implements ITypeConverter<NewMember>
    {
        public NewMember convert(final String value)
        {
            final int at = value.indexOf('@');
            if (at <= 0)
            {
                throw new TypeConversionException("'" + value + "' is not ID@HOST:PORT");
            }
            final int id;
            try
            {
                id = Integer.parseInt(value.substring(0, at));
            }
            catch (final NumberFormatException ex)
            {
                throw new TypeConversionException("member id '" + value.substring(0, at) + "' is not a number");
            }
            if (id < 0)
            {
                throw new TypeConversionException("member id " + id + " is negative");
            }
            final String endpoint = value.substring(at + 1);
            final String error = ClusterMembers.endpointError(endpoint);
            if (null != error)
            {
                throw new TypeConversionException(error);
            }
            return new NewMember(id, endpoint);
        }
    }
}
