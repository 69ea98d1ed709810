package io.raftline.engine.core;

import java.util.Arrays;
import java.util.Objects;

/**
 * A configuration of the cluster: its voters and learners, each an id with an endpoint, as a configuration entry
 * of the log (or a snapshot, or the bootstrap member list) defines it. Immutable; a new one is made only when the
 * configuration changes, never on the hot path.
 * <p>
 * A joint configuration (C_old,new of joint consensus, Raft §6) has two voter sets: {@link #oldVoters()} and
 * {@link #voters()}; an election or a commit then needs a majority of each. Learners receive the log but never vote
 * and never count towards a commit. {@link #retired()} names every id that was ever a member and was removed: ids
 * are never reused, so the set travels with every configuration (and every snapshot).
 * <p>
 * Endpoints are opaque to the core: the agent's {@code host:port} or IPC name, possibly empty when unknown (the
 * bootstrap list of a {@link RaftConfig} names no endpoints).
 */
public final class Membership
{
    static final byte VOTER = 1;
    static final byte OLD_VOTER = 2;
    static final byte LEARNER = 4;

    private static final int[] NONE = new int[0];
    private static final String[] NO_ENDPOINTS = new String[0];
    private static final byte[] NO_ROLES = new byte[0];

    /**
     * The configuration of a member that starts knowing none (it joins an existing cluster and learns it from the
     * leader): no voters, no learners.
     */
    public static final Membership EMPTY = new Membership(0, false, NONE, NO_ROLES, NO_ENDPOINTS, NONE);

    private final long index;
    private final boolean isJoint;
    // Every member, sorted by id, with its role bits and endpoint at the same position.
    private final int[] ids;
    private final byte[] roles;
    private final String[] endpoints;
    private final int[] retired;
    private final int[] voters;
    private final int[] oldVoters;
    private final int[] learners;

    Membership(
        final long index,
        final boolean isJoint,
        final int[] ids,
        final byte[] roles,
        final String[] endpoints,
        final int[] retired)
    {
        this.index = index;
        this.isJoint = isJoint;
        this.ids = ids;
        this.roles = roles;
        this.endpoints = endpoints;
        this.retired = retired;
        this.voters = select(VOTER);
        this.oldVoters = isJoint ? select(OLD_VOTER) : voters;
        this.learners = select(LEARNER);
    }

    /**
     * The configuration a new cluster starts from: every member a voter.
     *
     * @param voterIds  of the members, distinct.
     * @param endpoints of the members at the same positions, or null when the core need not know them.
     * @return the bootstrap configuration, of index 0.
     */
    public static Membership bootstrap(final int[] voterIds, final String[] endpoints)
    {
        final Draft draft = new Draft(EMPTY);
        for (int i = 0; i < voterIds.length; i++)
        {
            draft.put(voterIds[i], VOTER, null == endpoints ? "" : endpoints[i]);
        }
        return draft.build(0, false);
    }

    /**
     * @return the log index of the configuration entry this comes from; 0 for a bootstrap configuration.
     */
    public long index()
    {
        return index;
    }

    /**
     * @return the voters (of C_new while joint), sorted; do not modify.
     */
    public int[] voters()
    {
        return voters;
    }

    /**
     * @return the voters of C_old while joint, else the same as {@link #voters()}; sorted; do not modify.
     */
    public int[] oldVoters()
    {
        return oldVoters;
    }

    /**
     * @return the learners, sorted; do not modify.
     */
    public int[] learners()
    {
        return learners;
    }

    /**
     * @return every member: the voters of both sets and the learners, sorted; do not modify.
     */
    public int[] members()
    {
        return ids;
    }

    /**
     * @return the ids removed from the cluster at some point, never to be used again; sorted; do not modify.
     */
    public int[] retired()
    {
        return retired;
    }

    /**
     * @return true for C_old,new of joint consensus.
     */
    public boolean isJoint()
    {
        return isJoint;
    }

    /**
     * @param id of a member.
     * @return true if it is a voter or a learner here (of either set while joint).
     */
    public boolean contains(final int id)
    {
        return Arrays.binarySearch(ids, id) >= 0;
    }

    /**
     * @param id of a member.
     * @return true if it votes: in {@link #voters()} or, while joint, in {@link #oldVoters()}.
     */
    public boolean isVoter(final int id)
    {
        final int at = Arrays.binarySearch(ids, id);
        return at >= 0 && 0 != (roles[at] & (VOTER | OLD_VOTER));
    }

    /**
     * @param id of a member.
     * @return true if it is a learner.
     */
    public boolean isLearner(final int id)
    {
        final int at = Arrays.binarySearch(ids, id);
        return at >= 0 && 0 != (roles[at] & LEARNER);
    }

    /**
     * @param id of a member.
     * @return true if it is a voter of C_new (of the only set unless joint).
     */
    public boolean isNewVoter(final int id)
    {
        final int at = Arrays.binarySearch(ids, id);
        return at >= 0 && 0 != (roles[at] & VOTER);
    }

    /**
     * @param id of a member.
     * @return true if it is a voter of C_old (of the only set unless joint).
     */
    public boolean isOldVoter(final int id)
    {
        final int at = Arrays.binarySearch(ids, id);
        return at >= 0 && 0 != (roles[at] & (isJoint ? OLD_VOTER : VOTER));
    }

    /**
     * @param id of a member or former member.
     * @return true if it was removed and may never be used again.
     */
    public boolean isRetired(final int id)
    {
        return Arrays.binarySearch(retired, id) >= 0;
    }

    /**
     * @param id of a member.
     * @return its endpoint, "" when not known, or null if it is not a member.
     */
    public String endpoint(final int id)
    {
        final int at = Arrays.binarySearch(ids, id);
        return at >= 0 ? endpoints[at] : null;
    }

    /**
     * @return true if the two describe the same members, roles, endpoints and retired ids (whatever their index).
     */
    public boolean sameMembers(final Membership other)
    {
        return isJoint == other.isJoint && Arrays.equals(ids, other.ids) && Arrays.equals(roles, other.roles) &&
            Arrays.equals(endpoints, other.endpoints) && Arrays.equals(retired, other.retired);
    }

    /**
     * @return true if the two have the same voter sets (whatever their endpoints, learners and index).
     */
    public boolean sameVoters(final Membership other)
    {
        return isJoint == other.isJoint && Arrays.equals(voters, other.voters) &&
            Arrays.equals(oldVoters, other.oldVoters);
    }

    /**
     * {@inheritDoc}
     */
    public boolean equals(final Object other)
    {
        return other instanceof Membership && index == ((Membership)other).index && sameMembers((Membership)other);
    }

    /**
     * {@inheritDoc}
     */
    public int hashCode()
    {
        return Objects.hash(index, Arrays.hashCode(ids));
    }

    /**
     * @return e.g. {@code Membership{index=12, voters=[1@h1:1, 2@h2:2], learners=[4@h4:4]}}, with
     * {@code old=[...]} while joint and {@code retired=[...]} once any id was removed.
     */
    public String toString()
    {
        final StringBuilder builder = new StringBuilder("Membership{index=").append(index);
        if (isJoint)
        {
            appendIds(builder.append(", old="), oldVoters);
        }
        appendIds(builder.append(", voters="), voters);
        appendIds(builder.append(", learners="), learners);
        if (retired.length > 0)
        {
            builder.append(", retired=").append(Arrays.toString(retired));
        }
        return builder.append('}').toString();
    }

    // ------------------------------------------------------------------------------------------------ changes

    Membership withIndex(final long newIndex)
    {
        return new Membership(newIndex, isJoint, ids, roles, endpoints, retired);
    }

    /**
     * @return a simple configuration with {@code id} added as a learner.
     */
    Membership addLearner(final int id, final String endpoint)
    {
        final Draft draft = new Draft(this);
        draft.put(id, LEARNER, endpoint);
        return draft.build(index, false);
    }

    /**
     * @return the joint configuration that turns learner {@code id} into a voter.
     */
    Membership promote(final int id)
    {
        final Draft draft = entering();
        draft.put(id, VOTER, endpoint(id));
        return draft.build(index, true);
    }

    /**
     * @return for a learner, the simple configuration without it; for a voter, the joint configuration whose C_new
     * leaves it out.
     */
    Membership remove(final int id)
    {
        if (isLearner(id))
        {
            final Draft draft = new Draft(this);
            draft.remove(id);
            return draft.build(index, false);
        }
        final Draft draft = entering();
        draft.put(id, OLD_VOTER, endpoint(id));
        return draft.build(index, true);
    }

    /**
     * @return the joint configuration whose C_new has {@code newId} (at {@code newEndpoint}) instead of voter
     * {@code oldId}.
     */
    Membership replace(final int oldId, final int newId, final String newEndpoint)
    {
        final Draft draft = entering();
        draft.put(oldId, OLD_VOTER, endpoint(oldId));
        draft.put(newId, VOTER, null == newEndpoint ? endpoint(newId) : newEndpoint);
        return draft.build(index, true);
    }

    /**
     * @return C_new of this joint configuration: voters of C_old only are dropped and retired.
     */
    Membership leaveJoint()
    {
        final Draft draft = new Draft(this);
        for (int i = 0; i < ids.length; i++)
        {
            if (OLD_VOTER == roles[i])
            {
                draft.remove(ids[i]);
            }
            else if (0 != (roles[i] & VOTER))
            {
                draft.put(ids[i], VOTER, endpoints[i]);
            }
        }
        return draft.build(index, false);
    }

    /**
     * A draft of C_old,new: every voter of this (simple) configuration is a voter of both sets to begin with.
     */
    private Draft entering()
    {
        final Draft draft = new Draft(this);
        for (final int voter : voters)
        {
            draft.put(voter, (byte)(VOTER | OLD_VOTER), endpoint(voter));
        }
        return draft;
    }

    private int[] select(final byte role)
    {
        int count = 0;
        for (final byte r : roles)
        {
            count += 0 != (r & role) ? 1 : 0;
        }
        final int[] selected = new int[count];
        int at = 0;
        for (int i = 0; i < ids.length; i++)
        {
            if (0 != (roles[i] & role))
            {
                selected[at++] = ids[i];
            }
        }
        return selected;
    }

    byte roleBitsAt(final int position)
    {
        return roles[position];
    }

    String endpointAt(final int position)
    {
        return endpoints[position];
    }

    private void appendIds(final StringBuilder builder, final int[] members)
    {
        builder.append('[');
        for (int i = 0; i < members.length; i++)
        {
            final String endpoint = endpoint(members[i]);
            builder.append(i > 0 ? ", " : "").append(members[i]);
            if (null != endpoint && !endpoint.isEmpty())
            {
                builder.append('@').append(endpoint);
            }
        }
        builder.append(']');
    }

    /**
     * A configuration being changed: members by id, kept sorted.
     */
    static final class Draft
    {
        private int[] ids;
        private byte[] roles;
        private String[] endpoints;
        private int[] retired;

        Draft(final Membership from)
        {
            ids = from.ids.clone();
            roles = from.roles.clone();
            endpoints = from.endpoints.clone();
            retired = from.retired.clone();
        }

        void put(final int id, final byte role, final String endpoint)
        {
            final int at = Arrays.binarySearch(ids, id);
            if (at >= 0)
            {
                roles[at] = role;
                endpoints[at] = null == endpoint ? "" : endpoint;
                return;
            }
            final int insert = -at - 1;
            ids = insertInt(ids, insert, id);
            final byte[] newRoles = new byte[roles.length + 1];
            System.arraycopy(roles, 0, newRoles, 0, insert);
            newRoles[insert] = role;
            System.arraycopy(roles, insert, newRoles, insert + 1, roles.length - insert);
            roles = newRoles;
            final String[] newEndpoints = new String[endpoints.length + 1];
            System.arraycopy(endpoints, 0, newEndpoints, 0, insert);
            newEndpoints[insert] = null == endpoint ? "" : endpoint;
            System.arraycopy(endpoints, insert, newEndpoints, insert + 1, endpoints.length - insert);
            endpoints = newEndpoints;
        }

        void remove(final int id)
        {
            final int at = Arrays.binarySearch(ids, id);
            if (at < 0)
            {
                return;
            }
            final int[] newIds = new int[ids.length - 1];
            final byte[] newRoles = new byte[roles.length - 1];
            final String[] newEndpoints = new String[endpoints.length - 1];
            for (int i = 0, j = 0; i < ids.length; i++)
            {
                if (i != at)
                {
                    newIds[j] = ids[i];
                    newRoles[j] = roles[i];
                    newEndpoints[j] = endpoints[i];
                    j++;
                }
            }
            ids = newIds;
            roles = newRoles;
            endpoints = newEndpoints;
            retire(id);
        }

        void retire(final int id)
        {
            final int at = Arrays.binarySearch(retired, id);
            if (at < 0)
            {
                retired = insertInt(retired, -at - 1, id);
            }
        }

        Membership build(final long index, final boolean isJoint)
        {
            return new Membership(index, isJoint, ids, roles, endpoints, retired);
        }

        private static int[] insertInt(final int[] array, final int at, final int value)
        {
            final int[] result = new int[array.length + 1];
            System.arraycopy(array, 0, result, 0, at);
            result[at] = value;
            System.arraycopy(array, at, result, at + 1, array.length - at);
            return result;
        }
    }
}
