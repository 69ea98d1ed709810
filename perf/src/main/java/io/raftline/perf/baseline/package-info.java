/**
 * The baselines Raftline's performance report compares itself against, measured in the same run on the same host:
 * <ul>
 *     <li>{@link io.raftline.perf.baseline.AeronPingPong}: raw Aeron round trips over IPC and over UDP on
 *     127.0.0.1 (the physical floor), and {@link io.raftline.perf.baseline.AeronStream}, a one-way stream;</li>
 *     <li>{@link io.raftline.perf.baseline.AeronClusterBaseline}: Aeron Cluster 1.51.0, 3 members in this JVM,
 *     running the same replicated counter ({@link io.raftline.perf.baseline.CounterClusteredService}) under the
 *     same three loads as Raftline's {@code LoadGenerator}: closed loop, open loop from due times, and a window of
 *     outstanding commands.</li>
 * </ul>
 * Every measurement returns a {@link io.raftline.perf.baseline.BaselineResult}: an HdrHistogram of nanoseconds
 * (1 ns to 60 s, 3 digits, as Raftline's report), completed and failed counts and the measured seconds.
 *
 * <h2>Running</h2>
 * <pre>
 * mvn -q -pl perf -am package -DskipTests
 * mvn -q -pl perf validate exec:exec@baseline
 * mvn -q -pl perf validate exec:exec@baseline -Draftline.baseline.args="cluster=20s rate=100000 open=5s"
 * </pre>
 * {@code validate} must be part of the second invocation: it derives {@code raftline.jvm.flags} that the
 * {@code java} command line uses. The defaults take about a minute: each ping-pong 5 s after 100,000 round trips,
 * each one-way stream 3 s, the cluster's closed loop 10 s after 20,000 commands, then 5 s with 1,000 outstanding.
 * The smoke test, {@code BaselineSmokeTest}, runs everything for 200 ms each in about 5 s.
 *
 * <h2>Set-up, and what was tried on the 2-core host</h2>
 * <ul>
 *     <li>Drivers: embedded, SHARED threading, directory under {@code /dev/shm}, deleted on start and close.
 *     Archive and cluster files go to {@code java.io.tmpdir}, like Raftline's own log. Every directory is owned by a
 *     {@link io.raftline.perf.baseline.ScratchDirectory} and deleted on close, even when a run fails.</li>
 *     <li>Ping-pong threads: with the pong on its own thread ({@code PONG_THREAD}) and with the caller's thread
 *     driving both ({@code SINGLE_THREAD}). One thread is faster on 2 cores: over IPC p50 0.1 µs against 0.2 µs
 *     and a far shorter tail, over UDP p50 11–20 µs against 14–23 µs with p99 42–62 µs against 58–410 µs (runs of
 *     3 s on a host with a load average of 3–5 from other builds). The pong-thread figure is the one that means
 *     "a round trip between two parties", so it is the default and {@code BaselineMain} prints both.</li>
 *     <li>Idle strategies as in the reference: over IPC spinning application threads and a backing-off driver,
 *     over UDP everything yields. Under heavy outside load two spinning IPC threads sometimes end up on one core
 *     and the round trip becomes a scheduler time slice (one 3 s run had p90 8 ms); yielding threads avoid that
 *     (p50 0.6–1.0 µs, p99.9 40–60 µs) but measure the yield, not the transport. Rerun on a quiet host before
 *     reading the IPC tail.</li>
 *     <li>Aeron Cluster members are launched one after the other; a leader is looked for in the consensus
 *     modules' role counters and the client attaches over IPC to that member's driver
 *     ({@code isIpcIngressAllowed}). Seen here: all members launched 0.9–1.2 s after the first launch
 *     (3.4 s with a load average of 14), a leader 0.04–0.3 s after the last launch, the client session
 *     0.15–0.4 s after that.</li>
 *     <li>Shutdown: closing members by hand makes the survivors see their peers vanish. The baseline instead
 *     toggles ABORT on the leader's control counter, as {@code ClusterTool} would: every member terminates at the
 *     same log position and runs its termination hooks (0.4–0.7 s), then each component is closed. Members that do
 *     not terminate within 10 s are closed by hand, so close never hangs. Each component's errors go to its mark
 *     file's error log and to an {@link io.raftline.perf.baseline.AeronErrors} (nothing is printed to standard
 *     out); errors from the teardown, such as the members' own "expected termination", are counted apart.</li>
 * </ul>
 */
package io.raftline.perf.baseline;
