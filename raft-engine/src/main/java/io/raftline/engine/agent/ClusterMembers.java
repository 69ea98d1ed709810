package io.raftline.engine.agent;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The static membership of a cluster: member ids and, across hosts, the UDP endpoint of each member.
 * <p>
 * Written as {@code "0,1,2"} for a single-host cluster over Aeron IPC, or {@code "0@10.0.0.1:20000,1@10.0.0.2:20000,
 * 2@10.0.0.3:20000"} over UDP. A member receives consensus and client traffic on its endpoint, on stream
 * {@code base + memberId} of the consensus and ingress stream bases.
 */
public final class ClusterMembers
{
    /**
     * One member.
     *
     * @param id       of the member.
     * @param endpoint {@code host:port} for UDP, or null for IPC.
     */
    public record Member(int id, String endpoint)
    {
    }

    private final List<Member> members;
    private final boolean isIpc;

    private ClusterMembers(final List<Member> members, final boolean isIpc)
    {
        this.members = List.copyOf(members);
        this.isIpc = isIpc;
    }

    /**
     * The channel of every member of a cluster in one host; members differ by stream id.
     */
    static final String IPC_CHANNEL = "aeron:ipc?term-length=16m";

    /**
     * Parse a membership string.
     *
     * @param text {@code "0,1,2"} or {@code "0@host:port,1@host:port,..."}.
     * @return the members.
     * @throws IllegalArgumentException naming what is wrong.
     */
    public static ClusterMembers parse(final String text)
    {
        if (null == text || text.isBlank())
        {
            throw new IllegalArgumentException("members must not be empty: expected \"0,1,2\" or " +
                "\"0@host:port,1@host:port,...\"");
        }
        final List<Member> members = new ArrayList<>();
        int withEndpoint = 0;
        for (final String part : text.split(","))
        {
            final String item = part.trim();
            final int at = item.indexOf('@');
            final String idText = at < 0 ? item : item.substring(0, at);
            final int id;
            try
            {
                id = Integer.parseInt(idText.trim());
            }
            catch (final NumberFormatException ex)
            {
                throw new IllegalArgumentException("member id '" + idText + "' in members \"" + text +
                    "\" is not a number");
            }
            if (id < 0)
            {
                throw new IllegalArgumentException("member id " + id + " in members \"" + text + "\" is negative");
            }
            String endpoint = null;
            if (at >= 0)
            {
                endpoint = item.substring(at + 1).trim();
                final int colon = endpoint.lastIndexOf(':');
                if (colon <= 0 || colon == endpoint.length() - 1)
                {
                    throw new IllegalArgumentException("endpoint '" + endpoint + "' of member " + id +
                        " must be host:port");
                }
                final int port;
                try
                {
                    port = Integer.parseInt(endpoint.substring(colon + 1));
                }
                catch (final NumberFormatException ex)
                {
                    throw new IllegalArgumentException("port of endpoint '" + endpoint + "' of member " + id +
                        " is not a number");
                }
                if (port < 1 || port > 65535)
                {
                    throw new IllegalArgumentException("port " + port + " of member " + id + " is out of range");
                }
                withEndpoint++;
            }
            for (final Member member : members)
            {
                if (member.id() == id)
                {
                    throw new IllegalArgumentException("member id " + id + " appears twice in members \"" + text +
                        "\"");
                }
                if (null != endpoint && endpoint.equals(member.endpoint()))
                {
                    throw new IllegalArgumentException("members " + member.id() + " and " + id +
                        " share endpoint " + endpoint);
                }
            }
            members.add(new Member(id, endpoint));
        }
        if (withEndpoint != 0 && withEndpoint != members.size())
        {
            throw new IllegalArgumentException("either every member has an endpoint (UDP) or none (IPC): \"" +
                text + "\"");
        }
        return new ClusterMembers(members, 0 == withEndpoint);
    }

    /**
     * Check the endpoint of a member that joins: {@code host:port}, a port from 1 to 65535, nothing that would break
     * a members list or an Aeron channel.
     *
     * @param endpoint to check.
     * @return null if it is well formed, else why not, in a few words.
     */
    public static String endpointError(final String endpoint)
    {
        if (null == endpoint || endpoint.isEmpty())
        {
            return "malformed endpoint '': expected host:port";
        }
        final int colon = endpoint.lastIndexOf(':');
        if (colon <= 0 || colon == endpoint.length() - 1 || !endpoint.matches("[A-Za-z0-9.\\-\\[\\]:_]+"))
        {
            return "malformed endpoint '" + endpoint + "': expected host:port";
        }
        final String portText = endpoint.substring(colon + 1);
        if (!portText.matches("[0-9]{1,5}") || Integer.parseInt(portText) < 1 || Integer.parseInt(portText) > 65535)
        {
            return "malformed endpoint '" + endpoint + "': the port must be 1 to 65535";
        }
        return null;
    }

    /**
     * @return the members in the order given.
     */
    public List<Member> members()
    {
        return members;
    }

    /**
     * @return the number of members.
     */
    public int size()
    {
        return members.size();
    }

    /**
     * @return whether the cluster runs over IPC in one host.
     */
    public boolean isIpc()
    {
        return isIpc;
    }

    /**
     * @return the member ids.
     */
    public int[] ids()
    {
        return members.stream().mapToInt(Member::id).toArray();
    }

    /**
     * @param id of a member.
     * @return the member.
     * @throws IllegalArgumentException if no member has the id.
     */
    public Member member(final int id)
    {
        for (final Member member : members)
        {
            if (member.id() == id)
            {
                return member;
            }
        }
        throw new IllegalArgumentException("no member " + id + " in members " + Arrays.toString(ids()));
    }

    /**
     * @param id of a member.
     * @return the Aeron channel its consensus and ingress traffic goes to.
     */
    public String channel(final int id)
    {
        return isIpc ? IPC_CHANNEL : "aeron:udp?endpoint=" + member(id).endpoint();
    }

    /**
     * {@inheritDoc}
     */
    public String toString()
    {
        final StringBuilder builder = new StringBuilder();
        for (final Member member : members)
        {
            if (!builder.isEmpty())
            {
                builder.append(',');
            }
            builder.append(member.id());
            if (null != member.endpoint())
            {
                builder.append('@').append(member.endpoint());
            }
        }
        return builder.toString();
    }
}
