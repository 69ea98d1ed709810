package io.raftline.engine.agent;

/**
 * Where a member keeps its log, metadata and snapshots.
 */
public enum StorageType
{
    /**
     * Files under the member's directory (the log in Chronicle Queue); survives a restart.
     */
    FILE,

    /**
     * The process's heap; lost with the process. For tests and protocol benchmarks.
     */
    MEMORY;

    /**
     * @param name {@code file} or {@code memory}, case-insensitive.
     * @return the storage type.
     * @throws IllegalArgumentException naming the valid choices.
     */
    public static StorageType parse(final String name)
    {
        for (final StorageType type : values())
        {
            if (type.name().equalsIgnoreCase(name.trim()))
            {
                return type;
            }
        }
        throw new IllegalArgumentException("storage=" + name + " must be file or memory");
    }
}
