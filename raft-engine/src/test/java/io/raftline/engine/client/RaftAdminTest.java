package io.raftline.engine.client;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Which answer is a request's outcome. A request that followed the client's leader went to member 2, then (the client
 * learnt that member 0 leads) again to member 0; member 2's NOT_LEADER, naming member 0, arrived after that. Taken as
 * the outcome, it failed a leadership transfer in the perf suite ("not leader: member 2 does not lead; member 0 does"),
 * because the old rule only asked whether the leader it named was where the request had gone.
 */
class RaftAdminTest
{
    private static RaftAdmin.Result answer(final String code, final int leaderId, final int responderId)
    {
        return new RaftAdmin.Result("OK".equals(code), code, 0, leaderId, responderId, "");
    }

    @Test
    void aLateAnswerFromTheMemberTheRequestFirstWentToIsNotTheOutcome()
    {
        assertTrue(RaftAdmin.isFromAnother(answer("NOT_LEADER", 0, 2), 0));
    }

    @Test
    void theAnswerOfTheMemberTheRequestLastWentToIsTheOutcome()
    {
        assertFalse(RaftAdmin.isFromAnother(answer("OK", 0, 0), 0));
        assertFalse(RaftAdmin.isFromAnother(answer("NOT_LEADER", 1, 0), 0));
    }

    @Test
    void betweenARedirectAndTheNextSendAnyAnswerIsRead()
    {
        assertFalse(RaftAdmin.isFromAnother(answer("NOT_LEADER", 0, 2), Integer.MIN_VALUE));
    }
}
