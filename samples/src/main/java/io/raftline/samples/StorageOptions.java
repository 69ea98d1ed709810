package io.raftline.samples;

import io.raftline.engine.agent.IdleStrategies;
import io.raftline.engine.agent.MemberContext;
import io.raftline.engine.agent.StorageType;
import io.raftline.log.Durability;
import picocli.CommandLine.Option;

/**
 * {@code --storage} and {@code --durability}, shared by the commands that run members.
 */
final class StorageOptions
{
    @Option(names = "--storage", paramLabel = "file|memory", defaultValue = "file",
        converter = Converters.StorageValue.class,
        description = "file or memory (default: ${DEFAULT-VALUE})")
    StorageType storage;

    @Option(names = "--durability", paramLabel = "none|batch|each", defaultValue = "none",
        converter = Converters.DurabilityValue.class,
        description = "when the log syncs: none, batch or each (default: ${DEFAULT-VALUE})")
    Durability durability;

    /**
     * @param ctx  to set.
     * @param idle the idle strategy's name.
     * @return the context with these settings and the idle strategy.
     */
    MemberContext apply(final MemberContext ctx, final String idle)
    {
        return ctx
            .durability(durability)
            .storage(storage)
            .idleStrategy(IdleStrategies.type(idle), IdleStrategies.sleepNs(idle));
    }
}
