package io.raftline.engine.sim;

import org.junit.jupiter.api.TestInfo;

import java.util.Base64;
import java.util.stream.LongStream;

/**
 * Shared helpers of the MIT tester ports.
 */
abstract class MitTestSupport
{
    static final long ET = MitCluster.ELECTION_TIMEOUT_MS;

    /**
     * The seeds every ported test runs with: {@code -Draftline.mit.seed0} (default 1) and the
     * {@code -Draftline.mit.seeds} (default 1) that follow it.
     *
     * @return the seeds.
     */
    static LongStream seeds()
    {
        final long seed0 = Long.getLong("raftline.mit.seed0", 1L);
        final long count = Long.getLong("raftline.mit.seeds", 1L);
        return LongStream.range(seed0, seed0 + count);
    }

    /**
     * A cluster for the running test and seed; a failure prints the command that replays it.
     */
    static MitCluster cluster(final TestInfo info, final long seed, final int servers, final boolean unreliable)
    {
        return cluster(info, seed, servers, unreliable, false);
    }

    static MitCluster cluster(
        final TestInfo info, final long seed, final int servers, final boolean unreliable, final boolean snapshot)
    {
        final String name = info.getTestClass().orElseThrow().getSimpleName() + "#" +
            info.getTestMethod().orElseThrow().getName();
        return new MitCluster(name, servers, unreliable, snapshot, seed);
    }

    /**
     * Go's rand.Int(): a non-negative 63-bit value.
     */
    static long randInt(final MitCluster cfg)
    {
        return cfg.rand().nextLong() & Long.MAX_VALUE;
    }

    /**
     * The tester's randstring(n): n base64url characters.
     */
    static String randString(final MitCluster cfg, final int n)
    {
        final byte[] bytes = new byte[2 * n];
        cfg.rand().nextBytes(bytes);
        return Base64.getUrlEncoder().encodeToString(bytes).substring(0, n);
    }
}
