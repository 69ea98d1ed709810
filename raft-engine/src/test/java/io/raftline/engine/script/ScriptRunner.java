package io.raftline.engine.script;

import io.raftline.codecs.AppendEntriesDecoder;
import io.raftline.codecs.AppendEntriesResponseDecoder;
import io.raftline.codecs.InstallSnapshotDecoder;
import io.raftline.codecs.InstallSnapshotResponseDecoder;
import io.raftline.codecs.MessageHeaderDecoder;
import io.raftline.codecs.RequestVoteDecoder;
import io.raftline.codecs.RequestVoteResponseDecoder;
import io.raftline.codecs.TimeoutNowDecoder;
import io.raftline.engine.core.ConfigurationChanges;
import io.raftline.engine.core.MembershipChange;
import io.raftline.engine.core.RaftConfig;
import io.raftline.engine.core.RaftNode;
import io.raftline.engine.core.RaftRole;
import io.raftline.log.InMemoryRaftLog;
import io.raftline.log.SnapshotMetadata;

import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Runs the commands of an interaction script against real cores ({@link ScriptMember}) and returns what each
 * command printed. The network is a queue of frames that moves only when a command says so ({@code deliver},
 * {@code stabilize}, {@code run}); the clocks (one per member) move only with {@code tick}, {@code advance},
 * {@code campaign} and {@code run}. So a script fixes every interleaving, and its transcript is exact.
 * <p>
 * The format is documented in {@code src/test/resources/raft-scripts/README.md}.
 */
final class ScriptRunner implements ScriptMember.Network, ScriptMember.Events
{
    static final long MS = 1_000_000L;
    private static final int MAX_STABILIZE_DELIVERIES = 10_000;

    /**
     * A frame on its way.
     */
    private record InFlight(int from, int to, int toIncarnation, byte[] frame, String description)
    {
        String line()
        {
            return from + "->" + to + " " + description;
        }
    }

    private final Map<Integer, ScriptMember> members = new LinkedHashMap<>();
    private final List<ScriptMember> memberList = new ArrayList<>();
    // Members that start knowing no configuration; a bare 'start' leaves them down.
    private final Set<ScriptMember> joining = new HashSet<>();
    private final ScriptChecks checks = new ScriptChecks();
    private final List<InFlight> inFlight = new ArrayList<>();
    private final Set<String> cutLinks = new HashSet<>();
    private long heartbeatNs;
    private boolean isStarted;
    private List<String> out;
    private String indent = "";
    private boolean isQuiet;
    private int campaignsSeen;

    /**
     * Run one command.
     *
     * @param line the command and its arguments.
     * @return what it printed, one entry per line; never empty.
     */
    List<String> run(final String line)
    {
        out = new ArrayList<>();
        indent = "";
        isQuiet = false;
        final String[] words = line.trim().split("\\s+");
        final String[] args = Arrays.copyOfRange(words, 1, words.length);
        switch (words[0])
        {
            case "members" -> members(args);
            case "log" -> preloadLog(line);
            case "term" -> preloadTerm(args);
            case "start" -> start(args);
            case "campaign" -> campaign(member(args, 0));
            case "propose" -> propose(args);
            case "transfer-leadership" -> transferLeadership(args);
            case "add-learner" -> changeMembership(args, "add-learner");
            case "promote" -> changeMembership(args, "promote");
            case "remove" -> changeMembership(args, "remove");
            case "replace" -> changeMembership(args, "replace");
            case "print-config" -> printConfig(args);
            case "tick" -> advance(Long.parseLong(arg(args, 0)) * heartbeatNs, Arrays.copyOfRange(args, 1,
                args.length));
            case "advance" -> advance(Long.parseLong(arg(args, 0)) * MS, Arrays.copyOfRange(args, 1, args.length));
            case "run" -> runFor(Long.parseLong(arg(args, 0)));
            case "deliver" -> deliver(args);
            case "drop" -> drop(args);
            case "deliver-at" -> deliverAt(args);
            case "duplicate" -> duplicate(args);
            case "forge" -> forge(args);
            case "print-rejections" -> printRejections(args);
            case "stabilize" -> stabilize();
            case "partition" -> partition(line);
            case "cut" -> cut(args);
            case "heal" -> cutLinks.clear();
            case "crash" -> crash(member(args, 0));
            case "restart" -> restart(member(args, 0));
            case "persist" -> persist(args);
            case "snapshot" -> snapshot(member(args, 0));
            case "compact" -> compact();
            case "print-state" -> printState(args);
            case "print-log" -> printLog(member(args, 0));
            case "print-sm" -> printStateMachines(args);
            case "print-messages" -> printMessages();
            default -> throw new IllegalArgumentException("unknown command '" + words[0] + "'");
        }
        if (isStarted)
        {
            checks.afterStep(memberList);
        }
        if (out.isEmpty())
        {
            out.add("ok");
        }
        return out;
    }

    // ------------------------------------------------------------------------------------------ setup

    private void members(final String[] args)
    {
        if (!members.isEmpty())
        {
            throw new IllegalArgumentException("members may be given once");
        }
        final List<Integer> ids = new ArrayList<>();
        final List<Integer> joiningIds = new ArrayList<>();
        long heartbeatMs = 10;
        long electionMinMs = 100;
        long electionMaxMs = 200;
        long seed = 1;
        boolean isManualSync = false;
        final RaftConfig.Builder template = RaftConfig.builder().appendLeaderNoop(false);
        for (final String arg : args)
        {
            final int eq = arg.indexOf('=');
            if (eq < 0)
            {
                ids.add(Integer.parseInt(arg));
                continue;
            }
            final String key = arg.substring(0, eq);
            final String value = arg.substring(eq + 1);
            switch (key)
            {
                case "prevote" -> template.preVote(onOff(key, value));
                case "checkquorum" -> template.checkQuorum(onOff(key, value));
                case "noop" -> template.appendLeaderNoop(onOff(key, value));
                case "heartbeat" -> heartbeatMs = Long.parseLong(value);
                case "election" ->
                {
                    final String[] range = value.split("-");
                    electionMinMs = Long.parseLong(range[0]);
                    electionMaxMs = Long.parseLong(range[1]);
                }
                case "batch" -> template.maxEntriesPerBatch(Integer.parseInt(value));
                case "inflight" -> template.maxInflightBatches(Integer.parseInt(value));
                case "retain" -> template.compactionRetainEntries(Long.parseLong(value));
                case "chunk" -> template.snapshotChunkLength(Integer.parseInt(value));
                case "window" -> template.maxInflightSnapshotChunks(Integer.parseInt(value));
                case "seed" -> seed = Long.parseLong(value);
                case "joining" ->
                {
                    for (final String id : value.split(","))
                    {
                        joiningIds.add(Integer.parseInt(id));
                    }
                }
                case "lag" -> template.promotionMaxLag(Long.parseLong(value));
                case "sync" -> isManualSync = switch (value)
                {
                    case "auto" -> false;
                    case "manual" -> true;
                    default -> throw new IllegalArgumentException("sync is auto or manual, not '" + value + "'");
                };
                default -> throw new IllegalArgumentException("unknown member option '" + key + "'");
            }
        }
        heartbeatNs = heartbeatMs * MS;
        template.heartbeatIntervalNs(heartbeatNs).electionTimeoutNs(electionMinMs * MS, electionMaxMs * MS);
        final int[] idArray = ids.stream().mapToInt(Integer::intValue).toArray();
        if (0 == idArray.length)
        {
            throw new IllegalArgumentException("members wants at least one member id");
        }
        template.memberIds(idArray);
        for (final int id : idArray)
        {
            final ScriptMember member = new ScriptMember(
                id, template.memberId(id).build(), seed + id, isManualSync, this, this);
            members.put(id, member);
            memberList.add(member);
        }
        for (final int id : joiningIds)
        {
            // A member that starts from nothing: it knows only the bootstrap members' ids (as the agent would know
            // their endpoints) and learns the configuration from the leader.
            final ScriptMember member = new ScriptMember(
                id, template.copy().memberId(id).joining(true).build(), seed + id, isManualSync, this, this);
            members.put(id, member);
            memberList.add(member);
            joining.add(member);
        }
        final RaftConfig config = template.memberId(idArray[0]).build();
        if (!joiningIds.isEmpty())
        {
            out.add(joiningIds.size() + " joining " + joiningIds + " (started by name only)");
        }
        out.add(idArray.length + " members " + ids + ": heartbeat " + heartbeatMs + " ms, election timeout " +
            electionMinMs + "-" + electionMaxMs + " ms, pre-vote " + onOff(config.isPreVoteEnabled()) +
            ", check-quorum " + onOff(config.isCheckQuorumEnabled()) + ", leader no-op " +
            onOff(config.appendsLeaderNoop()) + (isManualSync ? ", sync by hand" : ""));
    }

    /**
     * {@code log ID: T/I T/I ...} or {@code log ID: T T ...}, optionally {@code T/I=payload}.
     */
    private void preloadLog(final String line)
    {
        requireNotStarted("log");
        final int colon = line.indexOf(':');
        if (colon < 0)
        {
            throw new IllegalArgumentException("log wants 'log ID: entries'");
        }
        final ScriptMember member = member(new String[]{line.substring(3, colon).trim()}, 0);
        long lastTerm = 0;
        for (final String entry : line.substring(colon + 1).trim().split("\\s+"))
        {
            if (entry.isEmpty())
            {
                continue;
            }
            final int eq = entry.indexOf('=');
            final String termIndex = eq < 0 ? entry : entry.substring(0, eq);
            final String payload = eq < 0 ? "" : entry.substring(eq + 1);
            final int slash = termIndex.indexOf('/');
            final long term = Long.parseLong(slash < 0 ? termIndex : termIndex.substring(0, slash));
            final long index = member.log().lastIndex() + 1;
            if (slash >= 0 && Long.parseLong(termIndex.substring(slash + 1)) != index)
            {
                throw new IllegalArgumentException("entry " + entry + " of member " + member.id() +
                    " is not at the next index " + index);
            }
            if (term < lastTerm || term < 1)
            {
                throw new IllegalArgumentException("entry " + entry + ": terms in a log start at 1 and never fall");
            }
            lastTerm = term;
            member.preloadEntry(term, payload);
        }
        out.add(member.id() + ": " + formatLog(member.log(), member, false));
    }

    private void preloadTerm(final String[] args)
    {
        requireNotStarted("term");
        final ScriptMember member = member(new String[]{arg(args, 0).replace(":", "")}, 0);
        final long term = Long.parseLong(arg(args, 1));
        int vote = RaftNode.NO_MEMBER;
        if (args.length > 2 && args[2].startsWith("vote="))
        {
            vote = Integer.parseInt(args[2].substring(5));
        }
        member.preloadTerm(term, vote);
    }

    private void start(final String[] args)
    {
        for (final ScriptMember member : selected(args))
        {
            if (0 == args.length && joining.contains(member))
            {
                continue;
            }
            if (member.metadata().currentTerm() < member.log().lastTerm())
            {
                // A log holds no entry of a term its member has not reached.
                member.preloadTerm(member.log().lastTerm(), RaftNode.NO_MEMBER);
            }
            if (!member.isAlive())
            {
                member.start();
            }
        }
        isStarted = true;
    }

    // ------------------------------------------------------------------------------------------ inputs

    private void campaign(final ScriptMember member)
    {
        requireAlive(member);
        if (RaftRole.LEADER == member.core().role())
        {
            throw new IllegalArgumentException("member " + member.id() + " is the leader");
        }
        final int before = campaignsSeen;
        for (int i = 0; i < 100 && campaignsSeen == before; i++)
        {
            member.advanceTo(Math.max(member.nowNs(), member.core().nextDeadlineNs()));
        }
        if (campaignsSeen == before)
        {
            throw new IllegalStateException("member " + member.id() + " did not campaign: " + member.core());
        }
    }

    private void propose(final String[] args)
    {
        final ScriptMember member = member(args, 0);
        requireAlive(member);
        final long result = member.propose(args.length > 1 ? String.join(" ", Arrays.copyOfRange(args, 1,
            args.length)) : "");
        if (result > 0)
        {
            out.add(0, "index " + result);
        }
        else if (RaftNode.NOT_LEADER == result)
        {
            // Whom it would redirect to shows in print-state (leader=), not here, so that a golden of a proposal
            // does not change when the leaderId rules do.
            out.add(0, "refused: not the leader");
        }
        else if (RaftNode.TRANSFER_IN_PROGRESS == result)
        {
            out.add(0, "refused: leadership transfer in progress");
        }
        else
        {
            out.add(0, "refused: " + result);
        }
    }

    private void transferLeadership(final String[] args)
    {
        final ScriptMember from = member(args, 0);
        final ScriptMember to = member(args, 1);
        requireAlive(from);
        if (!from.transferLeadership(to.id()))
        {
            out.add(0, "refused: member " + from.id() + " is " + from.core().role());
        }
    }

    /**
     * {@code add-learner AT ID [endpoint]}, {@code promote AT ID [force]}, {@code remove AT ID},
     * {@code replace AT OLD NEW [endpoint]}: the change asked of member AT; prints the entry's index or the refusal.
     */
    private void changeMembership(final String[] args, final String command)
    {
        final ScriptMember at = member(args, 0);
        requireAlive(at);
        final int id = Integer.parseInt(arg(args, 1));
        final long result = at.changeMembership(switch (command)
        {
            case "add-learner" -> (changes) -> changes.addLearner(id, args.length > 2 ? args[2] : "ep" + id);
            case "promote" -> (changes) -> changes.promote(id, args.length > 2 && "force".equals(args[2]));
            case "remove" -> (changes) -> changes.remove(id);
            default ->
            {
                final int newId = Integer.parseInt(arg(args, 2));
                yield (changes) -> changes.replace(id, newId, args.length > 3 ? args[3] : "ep" + newId);
            }
        });
        out.add(0, result >= 0 ? "index " + result : MembershipChange.describe(result));
    }

    /**
     * {@code print-config [ID ...]}: each member's effective configuration, and whether it found itself removed.
     */
    private void printConfig(final String[] ids)
    {
        for (final ScriptMember member : selected(ids))
        {
            if (!member.isAlive())
            {
                out.add(member.id() + ": down");
                continue;
            }
            final ConfigurationChanges changes = member.core().membershipChanges();
            out.add(member.id() + ": " + member.core().membership() + (changes.isRemoved() ? " removed" : "") +
                (null != changes.bootstrapMismatch() ? " (differs from the bootstrap list)" : ""));
        }
    }

    private void advance(final long durationNs, final String[] ids)
    {
        for (final ScriptMember member : selected(ids))
        {
            member.advanceTo(member.nowNs() + durationNs);
        }
    }

    /**
     * Let time pass in steps of a millisecond with a network that delivers at once, printing only what the members
     * report (role changes), each with the time since the start of the run.
     */
    private void runFor(final long durationMs)
    {
        isQuiet = true;
        for (long ms = 1; ms <= durationMs; ms++)
        {
            indent = "+" + ms + "ms ";
            for (final ScriptMember member : memberList)
            {
                member.advanceTo(member.nowNs() + MS);
            }
            int deliveries = 0;
            while (!inFlight.isEmpty())
            {
                if (++deliveries > MAX_STABILIZE_DELIVERIES)
                {
                    throw new IllegalStateException("the network did not go quiet within " + ms + " ms of the run");
                }
                deliverOne(inFlight.remove(0));
            }
        }
    }

    private void deliver(final String[] args)
    {
        final String link = args.length > 0 ? args[0] : null;
        if (null != link)
        {
            parseLink(link);
        }
        int limit = args.length > 1 ? Integer.parseInt(args[1]) : Integer.MAX_VALUE;
        final List<InFlight> round = new ArrayList<>();
        for (final Iterator<InFlight> it = inFlight.iterator(); it.hasNext() && limit > 0; )
        {
            final InFlight message = it.next();
            if (null == link || link.equals(message.from() + "->" + message.to()))
            {
                round.add(message);
                it.remove();
                limit--;
            }
        }
        for (final InFlight message : round)
        {
            deliverOne(message);
        }
        if (round.isEmpty())
        {
            out.add("no messages" + (null == link ? "" : " on " + link));
        }
    }

    private void stabilize()
    {
        int deliveries = 0;
        while (!inFlight.isEmpty())
        {
            if (++deliveries > MAX_STABILIZE_DELIVERIES)
            {
                throw new IllegalStateException("the network did not go quiet after " + deliveries + " messages");
            }
            deliverOne(inFlight.remove(0));
        }
    }

    private void deliverOne(final InFlight message)
    {
        final ScriptMember target = members.get(message.to());
        final String why = !isLinkUp(message.from(), message.to()) ? "link cut" :
            !target.isAlive() || target.incarnation() != message.toIncarnation() ? "member " + message.to() +
            " is down" : null;
        if (!isQuiet)
        {
            out.add(message.line() + (null == why ? "" : " (dropped: " + why + ")"));
        }
        if (null == why)
        {
            final String saved = indent;
            indent = isQuiet ? indent : "  ";
            target.deliver(message.frame());
            indent = saved;
            checks.afterStep(memberList);
        }
    }

    /**
     * Deliver only the K-th message queued on a link (1 = the first): it overtakes those before it, which stay queued
     * in their order. A link that reorders, one message at a time.
     */
    private void deliverAt(final String[] args)
    {
        final InFlight message = nthOnLink(arg(args, 0), Integer.parseInt(arg(args, 1)));
        inFlight.remove(message);
        deliverOne(message);
    }

    /**
     * Queue a copy of the K-th message on a link (the first by default) at the back of the queue: a link that
     * duplicates, with the copy arriving late.
     */
    private void duplicate(final String[] args)
    {
        final InFlight message = nthOnLink(arg(args, 0), args.length > 1 ? Integer.parseInt(args[1]) : 1);
        inFlight.add(message);
        out.add("queued a copy of " + message.line());
    }

    /**
     * Rewrite the K-th message on a link where it waits: its sender field and/or its term, as a misrouted frame, a
     * stray process or a member of another cluster would send it. The codecs' own field offsets locate the fields.
     */
    private void forge(final String[] args)
    {
        final InFlight message = nthOnLink(arg(args, 0), Integer.parseInt(arg(args, 1)));
        final byte[] frame = message.frame().clone();
        final UnsafeBuffer buffer = new UnsafeBuffer(frame);
        final int templateId = new MessageHeaderDecoder().wrap(buffer, 0).templateId();
        final StringBuilder what = new StringBuilder();
        for (int i = 2; i < args.length; i++)
        {
            final int eq = args[i].indexOf('=');
            if (eq < 0)
            {
                throw new IllegalArgumentException("expected sender=ID or term=T: " + args[i]);
            }
            final String key = args[i].substring(0, eq);
            final long value = Long.parseLong(args[i].substring(eq + 1));
            switch (key)
            {
                // Every consensus message starts its block with the term.
                case "term" -> buffer.putLong(MessageHeaderDecoder.ENCODED_LENGTH, value, ByteOrder.LITTLE_ENDIAN);
                case "sender" -> buffer.putInt(MessageHeaderDecoder.ENCODED_LENGTH + senderOffset(templateId),
                    (int)value, ByteOrder.LITTLE_ENDIAN);
                default -> throw new IllegalArgumentException("expected sender=ID or term=T: " + args[i]);
            }
            what.append(' ').append(args[i]);
        }
        final InFlight forged = new InFlight(message.from(), message.to(), message.toIncarnation(), frame,
            message.description() + " (forged" + what + ")");
        inFlight.set(inFlight.indexOf(message), forged);
        out.add("forged " + forged.line());
    }

    private static int senderOffset(final int templateId)
    {
        if (RequestVoteDecoder.TEMPLATE_ID == templateId)
        {
            return RequestVoteDecoder.candidateIdEncodingOffset();
        }
        if (RequestVoteResponseDecoder.TEMPLATE_ID == templateId)
        {
            return RequestVoteResponseDecoder.voterIdEncodingOffset();
        }
        if (AppendEntriesDecoder.TEMPLATE_ID == templateId)
        {
            return AppendEntriesDecoder.leaderIdEncodingOffset();
        }
        if (AppendEntriesResponseDecoder.TEMPLATE_ID == templateId)
        {
            return AppendEntriesResponseDecoder.followerIdEncodingOffset();
        }
        if (InstallSnapshotDecoder.TEMPLATE_ID == templateId)
        {
            return InstallSnapshotDecoder.leaderIdEncodingOffset();
        }
        if (InstallSnapshotResponseDecoder.TEMPLATE_ID == templateId)
        {
            return InstallSnapshotResponseDecoder.followerIdEncodingOffset();
        }
        if (TimeoutNowDecoder.TEMPLATE_ID == templateId)
        {
            return TimeoutNowDecoder.leaderIdEncodingOffset();
        }
        throw new IllegalArgumentException("no sender field known for template " + templateId);
    }

    private void printRejections(final String[] ids)
    {
        for (final ScriptMember member : selected(ids))
        {
            out.add(member.id() + ": " + (member.isAlive() ?
                "messages refused=" + member.core().rejectedMessageCount() + " frames refused=" +
                member.framesRejected() : "down"));
        }
    }

    private InFlight nthOnLink(final String link, final int n)
    {
        parseLink(link);
        if (n < 1)
        {
            throw new IllegalArgumentException("message positions count from 1: " + n);
        }
        int seen = 0;
        for (final InFlight message : inFlight)
        {
            if (link.equals(message.from() + "->" + message.to()) && ++seen == n)
            {
                return message;
            }
        }
        throw new IllegalArgumentException("only " + seen + " messages queued on " + link + ", not " + n);
    }

    private void drop(final String[] args)
    {
        final String link = arg(args, 0);
        parseLink(link);
        for (final Iterator<InFlight> it = inFlight.iterator(); it.hasNext(); )
        {
            final InFlight message = it.next();
            if (link.equals(message.from() + "->" + message.to()))
            {
                it.remove();
                out.add("dropped " + message.line());
            }
        }
        if (out.isEmpty())
        {
            out.add("no messages on " + link);
        }
    }

    /**
     * {@code partition 1 | 2 3}: cut every link between members of different groups, both ways.
     */
    private void partition(final String line)
    {
        final String[] groups = line.substring("partition".length()).split("\\|");
        final Map<Integer, Integer> groupOf = new LinkedHashMap<>();
        for (int g = 0; g < groups.length; g++)
        {
            for (final String id : groups[g].trim().split("\\s+"))
            {
                if (!id.isEmpty())
                {
                    groupOf.put(member(new String[]{id}, 0).id(), g);
                }
            }
        }
        if (groupOf.size() != members.size())
        {
            throw new IllegalArgumentException("a partition must place every member: " + members.keySet());
        }
        cutLinks.clear();
        for (final int a : members.keySet())
        {
            for (final int b : members.keySet())
            {
                if (!groupOf.get(a).equals(groupOf.get(b)))
                {
                    cutLinks.add(a + "->" + b);
                }
            }
        }
    }

    private void cut(final String[] args)
    {
        final String link = arg(args, 0);
        parseLink(link);
        cutLinks.add(link);
    }

    private void crash(final ScriptMember member)
    {
        requireAlive(member);
        member.crash();
        inFlight.removeIf((message) -> message.to() == member.id() || message.from() == member.id());
    }

    private void restart(final ScriptMember member)
    {
        if (member.isAlive())
        {
            throw new IllegalArgumentException("member " + member.id() + " is running");
        }
        member.start();
    }

    private void persist(final String[] ids)
    {
        for (final ScriptMember member : selected(ids))
        {
            requireAlive(member);
            final int queued = inFlight.size();
            final int at = out.size();
            indent = "  ";
            final boolean wasHeld = member.persist();
            indent = "";
            out.add(at, member.id() + (wasHeld ? ": synced" : ": nothing to persist"));
            for (int i = queued; i < inFlight.size(); i++)
            {
                out.add("  sends " + inFlight.get(i).line());
            }
        }
    }

    private void snapshot(final ScriptMember member)
    {
        requireAlive(member);
        final long index = member.takeSnapshotNow();
        out.add(0 == index ? "nothing new to snapshot" : "snapshot at " + member.log().termAt(index) + "/" + index +
            ", log now starts after " + member.log().baseIndex());
    }

    private void compact()
    {
        for (final ScriptMember member : memberList)
        {
            if (member.isAlive())
            {
                final long index = member.takeSnapshotNow();
                out.add(member.id() + ": " + (0 == index ? "nothing new to snapshot" : "snapshot at " + index +
                    ", log now starts after " + member.log().baseIndex()));
            }
        }
    }

    // ------------------------------------------------------------------------------------------ printing

    private void printState(final String[] ids)
    {
        for (final ScriptMember member : selected(ids))
        {
            if (!member.isAlive())
            {
                out.add(member.id() + ": down");
                continue;
            }
            final RaftNode core = member.core();
            final InMemoryRaftLog log = member.log();
            final StringBuilder line = new StringBuilder()
                .append(member.id()).append(": ").append(core.role())
                .append(" term=").append(core.currentTerm())
                .append(" vote=").append(leaderName(core.votedFor()))
                .append(" leader=").append(leaderName(core.leaderId()))
                .append(" commit=").append(core.commitIndex())
                .append(" applied=").append(core.lastApplied())
                .append(" last=").append(log.lastTerm()).append('/').append(log.lastIndex());
            if (log.baseIndex() > 0)
            {
                line.append(" base=").append(log.baseTerm()).append('/').append(log.baseIndex());
            }
            if (log.unsyncedOperations() > 0 || member.metadata().isDirty())
            {
                line.append(" unsynced=");
                if (log.unsyncedOperations() > 0)
                {
                    line.append(log.unsyncedOperations()).append("-log-ops")
                        .append(member.metadata().isDirty() ? "+" : "");
                }
                line.append(member.metadata().isDirty() ? "term/vote" : "");
            }
            out.add(line.toString());
        }
    }

    private void printLog(final ScriptMember member)
    {
        out.add(formatLog(member.log(), member, true));
        final SnapshotMetadata snapshot = member.latestSnapshot();
        if (null != snapshot)
        {
            out.add("snapshot " + snapshot.term() + "/" + snapshot.index() + " (" + snapshot.length() + " bytes)");
        }
    }

    private void printStateMachines(final String[] ids)
    {
        for (final ScriptMember member : selected(ids))
        {
            out.add(member.id() + ": " + (member.isAlive() ? member.state().toString() : "down"));
        }
    }

    private void printMessages()
    {
        for (final InFlight message : inFlight)
        {
            out.add(message.line());
        }
        if (inFlight.isEmpty())
        {
            out.add("no messages");
        }
    }

    private static String formatLog(final InMemoryRaftLog log, final ScriptMember member, final boolean payloads)
    {
        final StringBuilder text = new StringBuilder();
        if (log.baseIndex() > 0)
        {
            text.append("(compacted to ").append(log.baseTerm()).append('/').append(log.baseIndex()).append(")");
        }
        for (long index = log.baseIndex() + 1; index <= log.lastIndex(); index++)
        {
            text.append(0 == text.length() ? "" : " ").append(log.termAt(index)).append('/').append(index);
            final String payload = member.payloadAt(index);
            final String config = member.configAt(index);
            if (payloads && null != config)
            {
                text.append('=').append(config);
            }
            else if (payloads && null != payload && !payload.isEmpty())
            {
                text.append('=').append(payload);
            }
        }
        return 0 == text.length() ? "(empty)" : text.toString();
    }

    // ------------------------------------------------------------------------------------------ network, events

    public void send(final int from, final int to, final byte[] frame, final String description)
    {
        final ScriptMember target = members.get(to);
        if (null == target || !isLinkUp(from, to) || !target.isAlive())
        {
            return;
        }
        inFlight.add(new InFlight(from, to, target.incarnation(), frame, description));
    }

    public void onEvent(final int memberId, final String line)
    {
        out.add(indent + memberId + ": " + line);
    }

    public void onRoleChange(final ScriptMember member, final RaftRole to, final long term)
    {
        if (RaftRole.PRE_CANDIDATE == to || RaftRole.CANDIDATE == to)
        {
            campaignsSeen++;
        }
        checks.onRoleChange(member, to, term);
    }

    public void onCommit(final ScriptMember member, final long commitIndex)
    {
        checks.onCommit(member, commitIndex);
    }

    public void onApply(final ScriptMember member, final long index, final long term, final String payload)
    {
        checks.onApply(member, index, term, payload);
    }

    public void onRestore(final ScriptMember member, final long index)
    {
        checks.onRestore(member, index);
    }

    // ------------------------------------------------------------------------------------------ helpers

    private boolean isLinkUp(final int from, final int to)
    {
        return !cutLinks.contains(from + "->" + to);
    }

    private void parseLink(final String link)
    {
        final String[] ends = link.split("->");
        if (2 != ends.length)
        {
            throw new IllegalArgumentException("a link is written FROM->TO, not '" + link + "'");
        }
        member(ends, 0);
        member(ends, 1);
    }

    private List<ScriptMember> selected(final String[] ids)
    {
        if (0 == ids.length)
        {
            return memberList;
        }
        final List<ScriptMember> selected = new ArrayList<>();
        for (int i = 0; i < ids.length; i++)
        {
            selected.add(member(ids, i));
        }
        return selected;
    }

    private ScriptMember member(final String[] args, final int position)
    {
        final String text = arg(args, position);
        final ScriptMember member = members.get(Integer.parseInt(text));
        if (null == member)
        {
            throw new IllegalArgumentException("no member " + text + " (members are " + members.keySet() + ")");
        }
        return member;
    }

    private static String arg(final String[] args, final int position)
    {
        if (position >= args.length)
        {
            throw new IllegalArgumentException("missing argument " + (position + 1));
        }
        return args[position];
    }

    private void requireAlive(final ScriptMember member)
    {
        if (!member.isAlive())
        {
            throw new IllegalArgumentException("member " + member.id() + " is not running" +
                (isStarted ? "" : " (no 'start' yet)"));
        }
    }

    private void requireNotStarted(final String command)
    {
        if (isStarted)
        {
            throw new IllegalArgumentException(command + " sets durable state before 'start'");
        }
    }

    private static String leaderName(final int id)
    {
        return RaftNode.NO_MEMBER == id ? "none" : Integer.toString(id);
    }

    private static boolean onOff(final String key, final String value)
    {
        return switch (value)
        {
            case "on", "true" -> true;
            case "off", "false" -> false;
            default -> throw new IllegalArgumentException(key + " is on or off, not '" + value + "'");
        };
    }

    private static String onOff(final boolean value)
    {
        return value ? "on" : "off";
    }
}
