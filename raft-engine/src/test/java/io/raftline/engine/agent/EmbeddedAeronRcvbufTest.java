package io.raftline.engine.agent;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The embedded drivers' UDP receive buffer: 4 MiB unless the kernel allows less, Aeron's own 128 KiB when the kernel
 * allows no more than that, and whatever the user set when {@code aeron.socket.so_rcvbuf} is set.
 */
class EmbeddedAeronRcvbufTest
{
    @Test
    void asMuchAsTheKernelAllowsUpToFourMebibytes()
    {
        assertEquals(EmbeddedAeron.SO_RCVBUF_DEFAULT, EmbeddedAeron.socketRcvbufLength(null, 4 * 1024 * 1024));
        assertEquals(EmbeddedAeron.SO_RCVBUF_DEFAULT, EmbeddedAeron.socketRcvbufLength(null, 64L * 1024 * 1024));
        // Linux's usual net.core.rmem_max.
        assertEquals(212_992, EmbeddedAeron.socketRcvbufLength(null, 212_992));
    }

    @Test
    void aeronsOwnSettingWhenTheKernelAllowsNoMoreOrCannotBeRead()
    {
        assertEquals(0, EmbeddedAeron.socketRcvbufLength(null, 128 * 1024));
        assertEquals(0, EmbeddedAeron.socketRcvbufLength(null, 0));
    }

    /**
     * The kernel's limit is read whole: read with {@code Files.readString} it came back as "4" of "4194304", and the
     * drivers kept Aeron's 128 KiB. Linux never allows less than 4,608 bytes.
     */
    @Test
    @EnabledOnOs(OS.LINUX)
    void theKernelsLimitIsReadWhole()
    {
        assertTrue(EmbeddedAeron.readRmemMax() >= 4608, "rmem_max read as " + EmbeddedAeron.readRmemMax());
    }

    @Test
    void theUsersSettingWins()
    {
        assertEquals(0, EmbeddedAeron.socketRcvbufLength("65536", 4 * 1024 * 1024));
    }
}
