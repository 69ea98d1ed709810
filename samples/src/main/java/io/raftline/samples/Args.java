package io.raftline.samples;

import io.raftline.engine.agent.IdleStrategies;
import io.raftline.engine.agent.MemberContext;
import io.raftline.engine.agent.StorageType;
import io.raftline.log.Durability;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * {@code --name value} command-line options, with clear errors for unknown or missing ones.
 */
final class Args
{
    private final Map<String, String> values = new HashMap<>();

    Args(final String[] args, final int start, final Set<String> known)
    {
        for (int i = start; i < args.length; i++)
        {
            final String arg = args[i];
            if (!arg.startsWith("--"))
            {
                throw new IllegalArgumentException("unexpected argument '" + arg + "': options are --name value");
            }
            final String name = arg.substring(2);
            if (!known.contains(name))
            {
                throw new IllegalArgumentException("unknown option --" + name + "; known: " + known);
            }
            if (i + 1 >= args.length)
            {
                throw new IllegalArgumentException("option --" + name + " needs a value");
            }
            values.put(name, args[++i]);
        }
    }

    String get(final String name)
    {
        final String value = values.get(name);
        if (null == value)
        {
            throw new IllegalArgumentException("missing option --" + name);
        }
        return value;
    }

    String get(final String name, final String defaultValue)
    {
        return values.getOrDefault(name, defaultValue);
    }

    int getInt(final String name, final int defaultValue)
    {
        final String value = values.get(name);
        try
        {
            return null == value ? defaultValue : Integer.parseInt(value);
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("option --" + name + " must be a number, not '" + value + "'");
        }
    }

    long getLong(final String name, final long defaultValue)
    {
        final String value = values.get(name);
        try
        {
            return null == value ? defaultValue : Long.parseLong(value);
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("option --" + name + " must be a number, not '" + value + "'");
        }
    }

    /**
     * Set the member's typed settings that come from {@code --durability}, {@code --storage} and {@code --idle},
     * read with the parsers the system properties use.
     *
     * @param ctx         to set.
     * @param defaultIdle idle strategy when {@code --idle} is not given.
     * @return the context.
     */
    MemberContext applyStorageAndIdle(final MemberContext ctx, final String defaultIdle)
    {
        final String idle = get("idle", defaultIdle);
        return ctx
            .durability(Durability.parse(get("durability", "none")))
            .storage(StorageType.parse(get("storage", "file")))
            .idleStrategy(IdleStrategies.type(idle), IdleStrategies.sleepNs(idle));
    }

    boolean has(final String name)
    {
        return values.containsKey(name);
    }
}
