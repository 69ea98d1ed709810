package io.raftline.engine.agent;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.exceptions.RegistrationException;
import io.raftline.engine.core.Membership;
import io.raftline.engine.core.MembershipListener;
import io.raftline.engine.core.RaftConfig;
import org.agrona.CloseHelper;
import org.agrona.collections.Int2IntHashMap;

import java.util.Arrays;

/**
 * The member's consensus publications to its peers, following the configuration: a slot per peer, opened and
 * closed as the core reports configuration changes ({@link MembershipListener}), asynchronously, so that the duty
 * cycle never waits for the media driver.
 * <p>
 * At construction the members of the command line (or the context) are opened at once, as before: the bootstrap
 * configuration, or the seeds a joining member was given to reach the cluster. From then on the configuration the
 * core reports decides: a new member's publication is requested with {@code asyncAddExclusivePublication} and used
 * once the driver has it (until then the peer counts as not connected, like a peer that is down); a member that left
 * has its publication removed with {@code asyncRemovePublication}. A seed outside the configuration stays open while
 * this member knows no configuration (it is joining), since its answers to the leader go there.
 * <p>
 * Ids the configuration retired are kept, so the decoder can reject and count the frames of a removed member.
 */
final class PeerPublications implements MembershipListener
{
    /**
     * Peers a member can talk to at once: current members, members leaving a joint configuration, seeds.
     */
    static final int MAX_SLOTS = 64;

    private static final long NO_REGISTRATION = -1;

    private final int selfId;
    private final Aeron aeron;
    private final MemberContext ctx;
    private final boolean isIpc;
    private final Int2IntHashMap slotByMember = new Int2IntHashMap(-1);
    private final ExclusivePublication[] publications = new ExclusivePublication[MAX_SLOTS];
    private final long[] registrations = new long[MAX_SLOTS];
    private final int[] memberOfSlot = new int[MAX_SLOTS];
    private final boolean[] isSeed = new boolean[MAX_SLOTS];
    private int[] retired = new int[0];
    private boolean hasPendingRegistrations;
    private SlotListener slotListener = (slot) -> {};
    private final MemberCounters counters;

    /**
     * Told when a slot is freed, so per-peer state kept by slot (a snapshot transfer) is released.
     */
    @FunctionalInterface
    interface SlotListener
    {
        void onSlotFreed(int slot);
    }

    /**
     * Publications opened outside this class (tests), by position in {@link RaftConfig#memberIds()}, fixed.
     */
    static PeerPublications fixed(final RaftConfig config, final ExclusivePublication[] byPosition)
    {
        final PeerPublications peers = new PeerPublications(config.memberId(), null, null, false, null);
        final int[] ids = config.memberIds();
        for (int i = 0; i < ids.length; i++)
        {
            peers.slotByMember.put(ids[i], i);
            peers.memberOfSlot[i] = ids[i];
            peers.publications[i] = byPosition[i];
        }
        return peers;
    }

    /**
     * Open the publications to the context's members (every one but this member) at once.
     */
    static PeerPublications open(final Aeron aeron, final MemberContext ctx, final MemberCounters counters)
    {
        final PeerPublications peers = new PeerPublications(ctx.memberId(), aeron, ctx,
            ctx.clusterMembers().isIpc(), counters);
        for (final ClusterMembers.Member member : ctx.clusterMembers().members())
        {
            if (member.id() != ctx.memberId())
            {
                final int slot = peers.freeSlot();
                peers.take(slot, member.id(), true);
                peers.publications[slot] = aeron.addExclusivePublication(peers.channel(member.endpoint()),
                    ctx.consensusStreamBase() + member.id());
            }
        }
        return peers;
    }

    private PeerPublications(
        final int selfId,
        final Aeron aeron,
        final MemberContext ctx,
        final boolean isIpc,
        final MemberCounters counters)
    {
        this.selfId = selfId;
        this.aeron = aeron;
        this.ctx = ctx;
        this.isIpc = isIpc;
        this.counters = counters;
        Arrays.fill(registrations, NO_REGISTRATION);
        Arrays.fill(memberOfSlot, -1);
    }

    void slotListener(final SlotListener listener)
    {
        this.slotListener = listener;
    }

    /**
     * @param memberId of a peer.
     * @return its slot, or -1 if this member has no publication to it.
     */
    int slotOf(final int memberId)
    {
        return slotByMember.get(memberId);
    }

    /**
     * @param slot of a peer.
     * @return its publication, or null while it is being opened or after it was closed.
     */
    ExclusivePublication publicationAt(final int slot)
    {
        return slot < 0 ? null : publications[slot];
    }

    /**
     * @param memberId of a peer.
     * @return its publication, or null if there is none (yet).
     */
    ExclusivePublication publication(final int memberId)
    {
        return publicationAt(slotByMember.get(memberId));
    }

    /**
     * @return the longest message any open publication takes, or {@code limit} if less.
     */
    int maxMessageLength(final int limit)
    {
        int length = limit;
        for (final ExclusivePublication publication : publications)
        {
            if (null != publication)
            {
                length = Math.min(length, publication.maxMessageLength());
            }
        }
        return length;
    }

    /**
     * @param memberId of a sender.
     * @return true if the configuration removed it (its frames are rejected and counted).
     */
    boolean isRetired(final int memberId)
    {
        return Arrays.binarySearch(retired, memberId) >= 0;
    }

    /**
     * Take the publications the driver has finished opening; a duty cycle step (one field read when none is
     * pending).
     *
     * @return how many became usable.
     */
    int poll()
    {
        if (!hasPendingRegistrations)
        {
            return 0;
        }
        int work = 0;
        boolean isPending = false;
        for (int slot = 0; slot < MAX_SLOTS; slot++)
        {
            final long registrationId = registrations[slot];
            if (NO_REGISTRATION == registrationId)
            {
                continue;
            }
            try
            {
                final ExclusivePublication publication = aeron.getExclusivePublication(registrationId);
                if (null == publication)
                {
                    isPending = true;
                    continue;
                }
                publications[slot] = publication;
            }
            catch (final RegistrationException ex)
            {
                // A channel the driver refused (an endpoint it cannot resolve): the peer stays unreachable.
                counters.errors.increment();
                ctx.errorHandler().onError(new IllegalStateException("member " + selfId +
                    " could not open a publication to member " + memberOfSlot[slot] + ": " + ex.getMessage(), ex));
            }
            registrations[slot] = NO_REGISTRATION;
            work++;
        }
        hasPendingRegistrations = isPending;
        return work;
    }

    /**
     * Open publications to the members that joined, close those to the members that left. Runs on the agent thread
     * inside the core's step; only asynchronous Aeron calls.
     */
    public void onMembershipChange(final Membership membership)
    {
        retired = membership.retired().clone();
        if (null == aeron)
        {
            return;
        }
        final boolean isKnown = membership.contains(selfId);
        for (final int id : membership.members())
        {
            if (id == selfId)
            {
                continue;
            }
            final int slot = slotByMember.get(id);
            if (slot >= 0)
            {
                isSeed[slot] = false;
                continue;
            }
            final String endpoint = membership.endpoint(id);
            if (!isIpc && (null == endpoint || null != ClusterMembers.endpointError(endpoint)))
            {
                counters.errors.increment();
                ctx.errorHandler().onError(new IllegalStateException("member " + selfId + ": member " + id +
                    " has no usable endpoint ('" + endpoint + "') in the configuration"));
                continue;
            }
            final int free = freeSlot();
            if (free < 0)
            {
                counters.errors.increment();
                ctx.errorHandler().onError(new IllegalStateException("member " + selfId + ": more than " +
                    MAX_SLOTS + " peers; no publication to member " + id));
                continue;
            }
            take(free, id, false);
            registrations[free] = aeron.asyncAddExclusivePublication(channel(endpoint),
                ctx.consensusStreamBase() + id);
            hasPendingRegistrations = true;
        }
        for (int slot = 0; slot < MAX_SLOTS; slot++)
        {
            final int id = memberOfSlot[slot];
            if (id >= 0 && !membership.contains(id) && (isKnown || !isSeed[slot]))
            {
                free(slot);
            }
        }
    }

    private void take(final int slot, final int memberId, final boolean seed)
    {
        memberOfSlot[slot] = memberId;
        isSeed[slot] = seed;
        slotByMember.put(memberId, slot);
    }

    private void free(final int slot)
    {
        final ExclusivePublication publication = publications[slot];
        if (null != publication)
        {
            aeron.asyncRemovePublication(publication.registrationId());
        }
        else if (NO_REGISTRATION != registrations[slot])
        {
            aeron.asyncRemovePublication(registrations[slot]);
        }
        slotByMember.remove(memberOfSlot[slot]);
        publications[slot] = null;
        registrations[slot] = NO_REGISTRATION;
        memberOfSlot[slot] = -1;
        isSeed[slot] = false;
        slotListener.onSlotFreed(slot);
    }

    private int freeSlot()
    {
        for (int slot = 0; slot < MAX_SLOTS; slot++)
        {
            if (memberOfSlot[slot] < 0)
            {
                return slot;
            }
        }
        return -1;
    }

    private String channel(final String endpoint)
    {
        return isIpc ? ClusterMembers.IPC_CHANNEL : "aeron:udp?endpoint=" + endpoint;
    }

    /**
     * @return the ids with a publication slot, for tests and {@code describe}.
     */
    int[] peerIds()
    {
        int count = 0;
        final int[] ids = new int[MAX_SLOTS];
        for (final int id : memberOfSlot)
        {
            if (id >= 0)
            {
                ids[count++] = id;
            }
        }
        final int[] result = Arrays.copyOf(ids, count);
        Arrays.sort(result);
        return result;
    }

    void close()
    {
        for (final ExclusivePublication publication : publications)
        {
            CloseHelper.quietClose(publication);
        }
    }
}
