package io.raftline.log;

/**
 * How hard a store forces its writes to disk, in the manner of Aeron Archive's file sync levels.
 */
public enum Durability
{
    /**
     * Writes go to the page cache only; {@code sync()} does not force them. Survives a process crash (kill -9),
     * not a machine crash or power loss.
     */
    NONE,

    /**
     * {@code sync()} forces everything written since the last sync; the engine calls it once per duty cycle before
     * it releases the acknowledgements that depend on the writes. Survives a machine crash, at one sync per cycle.
     */
    BATCH,

    /**
     * Every write is forced before it returns. The strongest and slowest level.
     */
    EACH;

    /**
     * @param name of a level, case-insensitive ({@code none}, {@code batch}, {@code each}).
     * @return the level.
     * @throws IllegalArgumentException naming the valid levels if the name is not one.
     */
    public static Durability parse(final String name)
    {
        for (final Durability durability : values())
        {
            if (durability.name().equalsIgnoreCase(name.trim()))
            {
                return durability;
            }
        }
        throw new IllegalArgumentException("unknown durability '" + name + "': expected none, batch or each");
    }
}
