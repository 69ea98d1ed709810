package io.raftline.perf.baseline;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Failover time, the same way for Raftline and for Aeron Cluster: three member processes under a steady open loop
 * of commands; SIGKILL the leader, time at the client, restart the killed member (so there are three again), let it
 * catch up, and again.
 * <p>
 * What is timed, per failover: from the instant just before the SIGKILL of the leader's process to
 * <ul>
 *     <li>the first moment the client follows another member as leader (the new leader told it), and</li>
 *     <li>the first answer the client receives, from the member it then follows (not the killed one), to a command
 *     that member applied as leader: a command committed by the new leader. Raftline answers a resent command the
 *     old leader had already committed as a duplicate from the session's cache; those answers are not counted.</li>
 * </ul>
 * Both clocks are {@link System#nanoTime()} of the suite's JVM: the kill on the controlling thread, the answers on
 * the load thread.
 */
public final class Failovers
{
    private static final long FAILOVER_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(30);
    private static final long LEADER_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(60);
    private static final long STEADY_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(10);

    private Failovers()
    {
    }

    /**
     * A cluster of member processes under load, as the failover loop drives it.
     */
    public interface Target
    {
        /**
         * @return the member the client follows as leader and has had a commit from since it last changed, or -1.
         */
        int leaderFollowed();

        /**
         * @return whether no member is in an election: one leader, the others following it.
         */
        boolean isSteady();

        /**
         * @param memberId of a running member.
         * @return the process id of that member.
         */
        long pid(int memberId);

        /**
         * The member's process was killed: reap it.
         *
         * @param memberId of the killed member.
         */
        void onKilled(int memberId);

        /**
         * Start the killed member again and return once it follows the leader's log.
         *
         * @param memberId of the killed member.
         */
        void restart(int memberId);
    }

    /**
     * What the load thread saw, written by it and read by the controlling thread.
     */
    public static final class Probe
    {
        private volatile long killNs;
        private volatile int killedId = -1;
        private volatile long leaderSeenNs;
        private volatile long committedNs;
        private volatile int leader = -1;
        private volatile long commitsOfLeader;
        private int lastLeader = -1;
        private long commits;

        /**
         * The load thread: the client follows this member as leader now.
         *
         * @param leaderId the client follows, -1 if none.
         * @param nowNs    {@link System#nanoTime()}.
         */
        public void onLeader(final int leaderId, final long nowNs)
        {
            if (leaderId != lastLeader)
            {
                lastLeader = leaderId;
                commits = 0;
                commitsOfLeader = 0;
                leader = leaderId;
            }
            if (0 != killNs && leaderId >= 0 && leaderId != killedId && 0 == leaderSeenNs)
            {
                leaderSeenNs = nowNs;
            }
        }

        /**
         * The load thread: an answer to a command the member the client follows applied as leader.
         *
         * @param leaderId the client follows.
         * @param nowNs    {@link System#nanoTime()}.
         */
        public void onCommitted(final int leaderId, final long nowNs)
        {
            onLeader(leaderId, nowNs);
            commitsOfLeader = ++commits;
            if (0 != killNs && leaderId >= 0 && leaderId != killedId && 0 == committedNs)
            {
                committedNs = nowNs;
            }
        }

        /**
         * @return the member the client follows, -1 if none.
         */
        public int leader()
        {
            return leader;
        }

        /**
         * @return answers from the member the client follows since it began following it.
         */
        public long commitsOfLeader()
        {
            return commitsOfLeader;
        }

        void arm(final int killed, final long nowNs)
        {
            leaderSeenNs = 0;
            committedNs = 0;
            killedId = killed;
            killNs = nowNs;
        }

        void disarm()
        {
            killNs = 0;
        }
    }

    /**
     * The failovers of one system.
     *
     * @param system     name.
     * @param leaderNs   from each kill to the client following the new leader.
     * @param commitNs   from each kill to the first answer of a command the new leader committed.
     * @param missed     failovers with no commit within 30 s.
     * @param unsteady   kills made while a member was still in an election 10 s after the restart before.
     * @param settings   election and heartbeat settings, for the report.
     */
    public record Result(
        String system, List<Long> leaderNs, List<Long> commitNs, int missed, int unsteady, String settings)
    {
        /**
         * @param values    nanoseconds.
         * @param percentile 0 to 100.
         * @return the value at the percentile (nearest rank), or -1 if there is none.
         */
        public static long percentile(final List<Long> values, final double percentile)
        {
            if (values.isEmpty())
            {
                return -1;
            }
            final List<Long> sorted = new ArrayList<>(values);
            sorted.sort(Long::compare);
            final int rank = (int)Math.ceil(percentile / 100.0 * sorted.size());
            return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
        }

        /**
         * @return one line: p50 and max of both times.
         */
        public String summary()
        {
            final StringBuilder each = new StringBuilder();
            for (final long ns : commitNs)
            {
                each.append(each.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.0f", ns / 1e6));
            }
            return String.format(Locale.ROOT, "%s: %d failovers (%d missed, %d killed while a member was in an " +
                "election); kill to client following the new leader p50 %.1f ms, max %.1f ms; kill to first commit " +
                "by the new leader p50 %.1f ms, max %.1f ms; each, in ms: %s", system, commitNs.size(), missed,
                unsteady, percentile(leaderNs, 50) / 1e6, percentile(leaderNs, 100) / 1e6,
                percentile(commitNs, 50) / 1e6, percentile(commitNs, 100) / 1e6, each);
        }
    }

    /**
     * Kill the leader {@code failovers} times.
     *
     * @param system    name for the result.
     * @param target    the cluster under load.
     * @param probe     the load thread's view.
     * @param failovers how many.
     * @param settleNs  to let the load run between a restart and the next kill.
     * @param settings  for the result.
     * @return the times.
     */
    public static Result run(
        final String system,
        final Target target,
        final Probe probe,
        final int failovers,
        final long settleNs,
        final String settings)
    {
        final List<Long> leaderNs = new ArrayList<>();
        final List<Long> commitNs = new ArrayList<>();
        int missed = 0;
        int unsteady = 0;
        for (int i = 0; i < failovers; i++)
        {
            if (!awaitSteady(target))
            {
                unsteady++;
            }
            final int leader = awaitLeaderWithCommits(target, probe);
            final ProcessHandle process = ProcessHandle.of(target.pid(leader)).orElseThrow(
                () -> new IllegalStateException("the process of leader " + leader + " is gone before the kill"));
            final long killNs = System.nanoTime();
            final long killMs = System.currentTimeMillis();
            probe.arm(leader, killNs);
            process.destroyForcibly();
            final long deadlineNs = killNs + FAILOVER_TIMEOUT_NS;
            while (0 == probe.committedNs && System.nanoTime() < deadlineNs)
            {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            }
            final long leaderSeenNs = probe.leaderSeenNs;
            final long committedNs = probe.committedNs;
            probe.disarm();
            if (null != System.getProperty(AeronClusterProcesses.LOG_DIR_PROP_NAME))
            {
                System.out.printf(Locale.ROOT, "%s failover %d: killed member %d at %d (epoch ms), first commit " +
                    "after %s ms%n", system, i, leader, killMs, 0 == committedNs ? "(none)" :
                    String.format(Locale.ROOT, "%.1f", (committedNs - killNs) / 1e6));
            }
            if (0 == committedNs)
            {
                missed++;
            }
            else
            {
                commitNs.add(committedNs - killNs);
                leaderNs.add(0 == leaderSeenNs ? committedNs - killNs : leaderSeenNs - killNs);
            }
            target.onKilled(leader);
            target.restart(leader);
            LockSupport.parkNanos(settleNs);
        }
        return new Result(system, leaderNs, commitNs, missed, unsteady, settings);
    }

    private static boolean awaitSteady(final Target target)
    {
        final long deadlineNs = System.nanoTime() + STEADY_TIMEOUT_NS;
        while (System.nanoTime() < deadlineNs)
        {
            if (target.isSteady())
            {
                return true;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
        return false;
    }

    private static int awaitLeaderWithCommits(final Target target, final Probe probe)
    {
        final long deadlineNs = System.nanoTime() + LEADER_TIMEOUT_NS;
        while (System.nanoTime() < deadlineNs)
        {
            final int leader = target.leaderFollowed();
            if (leader >= 0)
            {
                return leader;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
        throw new IllegalStateException("no leader with commits at the client within 60 s");
    }
}
