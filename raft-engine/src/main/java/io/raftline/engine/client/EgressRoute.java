package io.raftline.engine.client;

import io.aeron.Subscription;
import io.raftline.engine.agent.ClusterMembers;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * Picks the egress channel of a client of a UDP cluster when none is set: the members answer to the address the
 * client's host uses to reach them, so a client on another host needs its own routable address there, not
 * 127.0.0.1.
 */
final class EgressRoute
{
    private EgressRoute()
    {
    }

    /**
     * @param members of a UDP cluster.
     * @return {@code aeron:udp?endpoint=<local address>:0}, the local address being the one the kernel's routes pick
     * as the source for the first member.
     * @throws IllegalArgumentException naming the setting to use when no local address routes to the members.
     */
    static String egressChannel(final ClusterMembers members)
    {
        final ClusterMembers.Member member = members.members().get(0);
        final String endpoint = member.endpoint();
        final int colon = endpoint.lastIndexOf(':');
        final String host = endpoint.substring(0, colon).replace("[", "").replace("]", "");
        final int port = Integer.parseInt(endpoint.substring(colon + 1));
        final InetAddress local;
        try (DatagramSocket socket = new DatagramSocket())
        {
            // A connected UDP socket sends nothing: connect() only asks the routing table for the source address.
            socket.connect(new InetSocketAddress(InetAddress.getByName(host), port));
            local = socket.getLocalAddress();
        }
        catch (final UnknownHostException ex)
        {
            throw noRoute(member, "unknown host " + host);
        }
        catch (final IOException | RuntimeException ex)
        {
            throw noRoute(member, String.valueOf(ex.getMessage()));
        }
        if (null == local || local.isAnyLocalAddress())
        {
            throw noRoute(member, "no local address routes there");
        }
        final String address = local.getHostAddress();
        return "aeron:udp?endpoint=" + (address.indexOf(':') >= 0 ? "[" + address + "]" : address) + ":0";
    }

    private static IllegalArgumentException noRoute(final ClusterMembers.Member member, final String reason)
    {
        return new IllegalArgumentException("cannot pick the client's egress address: member " + member.id() +
            " at " + member.endpoint() + ": " + reason + "; set the address the members can reach this client at " +
            "with ClientContext.egressChannel(\"aeron:udp?endpoint=<host>:0\"), -D" +
            ClientConfiguration.EGRESS_CHANNEL_PROP_NAME + "=aeron:udp?endpoint=<host>:0 or the client's " +
            "--egress <host>");
    }

    /**
     * The egress channel as members must address it: an ephemeral port (endpoint ...:0) is resolved once the
     * subscription is bound, within the connect timeout.
     */
    static String resolveResponseChannel(final ClientContext ctx, final Subscription egress)
    {
        final String channel = ctx.egressChannel();
        if (!channel.startsWith("aeron:udp") || !channel.matches(".*endpoint=[^|]*:0([|].*)?$"))
        {
            return channel;
        }
        final long deadlineNs = ctx.nanoClock().nanoTime() + ctx.connectTimeoutNs();
        String resolved;
        while (null == (resolved = egress.tryResolveChannelEndpointPort()))
        {
            if (ctx.nanoClock().nanoTime() > deadlineNs)
            {
                throw new ClientException("could not resolve the port of egress channel " + channel);
            }
            Thread.onSpinWait();
        }
        return resolved;
    }
}
