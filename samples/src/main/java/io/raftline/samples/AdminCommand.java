package io.raftline.samples;

import io.raftline.engine.agent.EmbeddedAeron;
import io.raftline.engine.client.ClientContext;
import io.raftline.engine.client.ClientException;
import io.raftline.engine.client.RaftAdmin;
import org.agrona.CloseHelper;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.File;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Function;

/**
 * {@code admin}: operate a running cluster. Each subcommand opens a client session (authenticated like any client),
 * sends one admin request, prints the answer and exits 0 if it was done, 1 if it was refused or not answered (the
 * reason on one line), 2 for a wrong argument.
 * <pre>
 * java -jar raftline-samples.jar admin describe --members 0@10.0.0.1:20000,1@10.0.0.2:20000,2@10.0.0.3:20000
 * java -jar raftline-samples.jar admin transfer-leadership 2 --members ...
 * </pre>
 */
@Command(name = "admin", mixinStandardHelpOptions = true,
    description = "Operate a running cluster: describe it, move its leader, take a snapshot, change its members.",
    subcommands = {
        AdminCommand.Describe.class,
        AdminCommand.AddLearner.class,
        AdminCommand.Promote.class,
        AdminCommand.Remove.class,
        AdminCommand.Replace.class,
        AdminCommand.TransferLeadership.class,
        AdminCommand.Snapshot.class,
        AdminCommand.StepDown.class
    })
public final class AdminCommand implements Callable<Integer>
{
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /**
     * Without a subcommand: the list of them, as a usage error.
     */
    public Integer call()
    {
        spec.commandLine().usage(spec.commandLine().getErr());
        return Main.USAGE_ERROR;
    }

    /**
     * How an admin subcommand reaches the cluster.
     */
    static final class Connection
    {
        @Option(names = "--members", required = true, paramLabel = "ID@HOST:PORT,...",
            converter = Converters.MembersValue.class,
            description = "the members' endpoints (describe asks each of them; one reachable member finds the leader)")
        String members;

        @Option(names = "--timeout", defaultValue = "10s", paramLabel = "DURATION",
            converter = Converters.DurationNs.class,
            description = "how long to wait for the answer (default: ${DEFAULT-VALUE})")
        long timeoutNs;

        @Option(names = "--connect-timeout", defaultValue = "10s", paramLabel = "DURATION",
            converter = Converters.DurationNs.class,
            description = "give up when no member answers for this long (default: ${DEFAULT-VALUE})")
        long connectTimeoutNs;

        @Option(names = "--credentials", paramLabel = "TEXT",
            description = "what the cluster's Authenticator expects (default: none)")
        String credentials;

        @Option(names = "--aeron-dir", paramLabel = "DIR", description = "the media driver to use (default: an " +
            "embedded one)")
        String aeronDir;

        @Option(names = "--driver-dir-base", paramLabel = "DIR",
            description = "where the embedded driver's directory goes")
        String driverDirBase;

        @Option(names = "--egress", paramLabel = "HOST[:PORT]", converter = CounterClient.EgressValue.class,
            description = "the address the members send answers to (default: the local address that routes to them)")
        String egress;

        /**
         * Connect, run the action, close.
         */
        <T> T run(final Function<RaftAdmin, T> action)
        {
            EmbeddedAeron embedded = null;
            RaftAdmin admin = null;
            try
            {
                final ClientContext ctx = new ClientContext();
                if (null == aeronDir)
                {
                    embedded = null != driverDirBase ?
                        EmbeddedAeron.invoker(new File(driverDirBase), "raftline-admin") :
                        EmbeddedAeron.invoker("raftline-admin");
                    ctx.aeron(embedded.aeron());
                }
                else
                {
                    ctx.aeronDirectoryName(aeronDir);
                }
                if (null != egress)
                {
                    ctx.egressChannel(egress);
                }
                if (null != credentials)
                {
                    ctx.credentials(credentials.getBytes(StandardCharsets.UTF_8));
                }
                admin = RaftAdmin.connect(ctx
                    .members(members)
                    .commandTimeoutNs(timeoutNs)
                    .leaderTimeoutNs(Math.min(300_000_000L, timeoutNs / 2))
                    .connectTimeoutNs(connectTimeoutNs));
                return action.apply(admin);
            }
            catch (final ClientException ex)
            {
                throw new IllegalStateException("could not reach the cluster " + members + ": " + ex.getMessage(),
                    ex);
            }
            finally
            {
                CloseHelper.quietClose(admin);
                CloseHelper.quietClose(embedded);
            }
        }
    }

    /**
     * A subcommand that sends one request and reports its outcome.
     */
    abstract static class Request implements Callable<Integer>
    {
        @Mixin
        Connection connection;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        abstract RaftAdmin.Result send(RaftAdmin admin);

        public Integer call()
        {
            final RaftAdmin.Result result = connection.run(this::send);
            if (result.isOk())
            {
                spec.commandLine().getOut().println(result);
                return 0;
            }
            spec.commandLine().getErr().println(spec.qualifiedName() + ": " + result);
            return Main.FAILED;
        }
    }

    /**
     * {@code describe}.
     */
    @Command(name = "describe", mixinStandardHelpOptions = true,
        description = "Every member's role, term, commit, applied and last index, snapshot, lag and elections, and " +
        "the configuration.")
    static final class Describe implements Callable<Integer>
    {
        @Mixin
        Connection connection;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        public Integer call()
        {
            final List<RaftAdmin.Status> statuses = connection.run(RaftAdmin::describe);
            print(statuses, connection.members, spec.commandLine().getOut());
            return statuses.isEmpty() ? Main.FAILED : 0;
        }
    }

    static void print(final List<RaftAdmin.Status> statuses, final String members, final PrintWriter out)
    {
        final Set<Integer> listed = new HashSet<>();
        RaftAdmin.Status leader = null;
        for (final RaftAdmin.Status status : statuses)
        {
            if ("LEADER".equals(status.role()) && (null == leader || status.term() > leader.term()))
            {
                leader = status;
            }
        }
        out.printf("%-6s %-10s %8s %12s %12s %12s %12s %10s %s%n", "member", "role", "term", "commit", "applied",
            "last", "snapshot", "lag", "elections (timeout/transfer)");
        for (final String member : members.split(","))
        {
            final int id = Integer.parseInt(member.substring(0, member.indexOf('@') < 0 ? member.length() :
                member.indexOf('@')).trim());
            listed.add(id);
            RaftAdmin.Status status = null;
            for (final RaftAdmin.Status candidate : statuses)
            {
                status = candidate.memberId() == id ? candidate : status;
            }
            if (null == status)
            {
                out.printf("%-6d %s%n", id, "no answer");
                continue;
            }
            out.printf("%-6d %-10s %8d %12d %12d %12d %12d %10s %d/%d%n", id, status.role(), status.term(),
                status.commitIndex(), status.appliedIndex(), status.lastLogIndex(), status.snapshotIndex(),
                lag(leader, status), status.timeoutElections(), status.transferElections());
        }
        for (final RaftAdmin.Status status : statuses)
        {
            if (!listed.contains(status.memberId()))
            {
                out.printf("%-6d %-10s %8d %12d %12d %12d %12d %10s %d/%d%n", status.memberId(), status.role(),
                    status.term(), status.commitIndex(), status.appliedIndex(), status.lastLogIndex(),
                    status.snapshotIndex(), lag(leader, status), status.timeoutElections(),
                    status.transferElections());
            }
        }
        out.println("configuration: " + (null != leader ? leader.configuration() :
            statuses.isEmpty() ? "unknown (no member answered)" : statuses.get(0).configuration() +
            " (no leader answered)"));
    }

    /**
     * The entries a member is behind the leader: by the leader's match index for it when the leader knows one,
     * else by what it applied against the leader's commit index.
     */
    private static String lag(final RaftAdmin.Status leader, final RaftAdmin.Status status)
    {
        if (null == leader)
        {
            return "?";
        }
        if (leader == status)
        {
            return "0";
        }
        final Map<Integer, Long> matchIndexes = leader.matchIndexes();
        final Long matchIndex = matchIndexes.get(status.memberId());
        return Long.toString(Math.max(0, null != matchIndex ? leader.lastLogIndex() - matchIndex :
            leader.commitIndex() - status.appliedIndex()));
    }

    /**
     * {@code add-learner ID@HOST:PORT}.
     */
    @Command(name = "add-learner", mixinStandardHelpOptions = true,
        description = "Add a new member that receives the log and snapshots but does not vote; start it with " +
        "node --join first.")
    static final class AddLearner extends Request
    {
        @Parameters(index = "0", paramLabel = "ID@HOST:PORT", converter = Converters.NewMemberValue.class,
            description = "a new id (never used before in this cluster) and its endpoint")
        Converters.NewMember member;

        RaftAdmin.Result send(final RaftAdmin admin)
        {
            return admin.addLearner(member.id(), member.endpoint());
        }
    }

    /**
     * {@code promote ID}.
     */
    @Command(name = "promote", mixinStandardHelpOptions = true,
        description = "Make a learner a voter once it has caught up.")
    static final class Promote extends Request
    {
        @Parameters(index = "0", paramLabel = "ID", description = "the learner")
        int memberId;

        @Option(names = "--force", description = "even if it has not caught up")
        boolean force;

        RaftAdmin.Result send(final RaftAdmin admin)
        {
            return admin.promote(memberId, force);
        }
    }

    /**
     * {@code remove ID}.
     */
    @Command(name = "remove", mixinStandardHelpOptions = true,
        description = "Remove a member (voter or learner) from the configuration; its id is never used again.")
    static final class Remove extends Request
    {
        @Parameters(index = "0", paramLabel = "ID", description = "the member")
        int memberId;

        RaftAdmin.Result send(final RaftAdmin admin)
        {
            return admin.remove(memberId);
        }
    }

    /**
     * {@code replace OLD NEW@HOST:PORT}.
     */
    @Command(name = "replace", mixinStandardHelpOptions = true,
        description = "Swap a voter for a new member in one joint-consensus step (the new member should be a " +
        "caught-up learner, or started with node --join).")
    static final class Replace extends Request
    {
        @Parameters(index = "0", paramLabel = "OLD", description = "the voter that leaves")
        int oldMemberId;

        @Parameters(index = "1", paramLabel = "NEW@HOST:PORT", converter = Converters.NewMemberValue.class,
            description = "the member that comes in: a learner of the cluster, or a new id and endpoint")
        Converters.NewMember member;

        RaftAdmin.Result send(final RaftAdmin admin)
        {
            return admin.replace(oldMemberId, member.id(), member.endpoint());
        }
    }

    /**
     * {@code transfer-leadership ID}.
     */
    @Command(name = "transfer-leadership", mixinStandardHelpOptions = true,
        description = "The leader brings the member up to date, stops taking commands, and hands over to it; " +
        "refused if it did not take over within an election timeout.")
    static final class TransferLeadership extends Request
    {
        @Parameters(index = "0", paramLabel = "ID", description = "the voter to lead")
        int memberId;

        RaftAdmin.Result send(final RaftAdmin admin)
        {
            return admin.transferLeadership(memberId);
        }
    }

    /**
     * {@code snapshot}.
     */
    @Command(name = "snapshot", mixinStandardHelpOptions = true, description = "Take a snapshot now.")
    static final class Snapshot extends Request
    {
        @Option(names = "--member", paramLabel = "ID", defaultValue = "-1",
            description = "the member that takes it (default: the leader)")
        int memberId;

        RaftAdmin.Result send(final RaftAdmin admin)
        {
            return admin.snapshot(memberId);
        }
    }

    /**
     * {@code step-down}.
     */
    @Command(name = "step-down", mixinStandardHelpOptions = true,
        description = "The leader hands over to the most caught-up voter and steps down.")
    static final class StepDown extends Request
    {
        RaftAdmin.Result send(final RaftAdmin admin)
        {
            return admin.stepDown();
        }
    }
}
