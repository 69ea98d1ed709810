package io.raftline.engine.core;

/**
 * Where the core reports the reads it was given ({@link RaftNode#read}), each exactly once, in ticket order within a
 * track: ready (answer it now from the state machine, whose applied index has reached the read's index) or failed
 * (this member can no longer serve it: it lost or gained leadership; the client asks again).
 * <p>
 * Called on the node's thread from inside the core's inputs and {@link RaftNode#doWork}; the driver answers the
 * read during the call (the state machine then holds exactly the state that was confirmed).
 */
public interface ReadListener
{
    /**
     * A listener that ignores every read: for drivers that serve none.
     */
    ReadListener NO_OP = new ReadListener()
    {
        public void onReadReady(final int track, final long ticket, final long readIndex)
        {
        }

        public void onReadFailed(final int track, final long ticket)
        {
        }
    };

    /**
     * @param track     {@link RaftReads#LINEARIZABLE}, {@link RaftReads#LEASE} or
     *                  {@link RaftReads#FOLLOWER}.
     * @param ticket    as {@link RaftNode#read} returned it.
     * @param readIndex the index the state machine had to reach; its applied index is at least that now.
     */
    void onReadReady(int track, long ticket, long readIndex);

    /**
     * @param track  of the read.
     * @param ticket as {@link RaftNode#read} returned it.
     */
    void onReadFailed(int track, long ticket);
}
