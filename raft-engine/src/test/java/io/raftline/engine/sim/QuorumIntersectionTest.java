package io.raftline.engine.sim;

import io.raftline.codecs.MembershipEntryEncoder;
import io.raftline.codecs.MessageHeaderEncoder;
import io.raftline.engine.core.Membership;
import io.raftline.engine.core.MembershipCodec;
import org.agrona.ExpandableArrayBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The simulator's membership invariant can fail: it tells the safe steps of joint consensus from an unsafe jump.
 */
class QuorumIntersectionTest
{
    private static final Membership ONE_TWO_THREE = Membership.bootstrap(new int[]{1, 2, 3}, null);

    /**
     * A configuration from the schema's encoder: roles 1 voter (of C_new), 2 voter of C_old, 4 learner.
     */
    private static Membership config(final boolean joint, final int[] ids, final int[] roles)
    {
        final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer();
        final MembershipEntryEncoder encoder = new MembershipEntryEncoder()
            .wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder());
        encoder.joint((short)(joint ? 1 : 0));
        final MembershipEntryEncoder.MembersEncoder members = encoder.membersCount(ids.length);
        for (int i = 0; i < ids.length; i++)
        {
            members.next().memberId(ids[i]).roles((short)roles[i]).endpoint("");
        }
        encoder.retiredCount(0);
        return MembershipCodec.read(buffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength(), 1);
    }

    @Test
    void jointConsensusStepsIntersect()
    {
        final Membership joint = config(true, new int[]{1, 2, 3, 4}, new int[]{3, 3, 2, 1});
        final Membership replaced = config(false, new int[]{1, 2, 4}, new int[]{1, 1, 1});
        assertTrue(Invariants.quorumsIntersect(ONE_TWO_THREE, joint));
        assertTrue(Invariants.quorumsIntersect(joint, replaced));
        final Membership withLearner = config(false, new int[]{1, 2, 3, 9}, new int[]{1, 1, 1, 4});
        assertTrue(Invariants.quorumsIntersect(ONE_TWO_THREE, withLearner));
        // One server at a time is safe too.
        assertTrue(Invariants.quorumsIntersect(ONE_TWO_THREE, Membership.bootstrap(new int[]{1, 2}, null)));
    }

    @Test
    void aJumpOverTheJointConfigurationDoesNot()
    {
        // {1,4} is a majority of {1,2,4} and {2,3} one of {1,2,3}: two leaders could be elected in one term.
        assertFalse(Invariants.quorumsIntersect(ONE_TWO_THREE, Membership.bootstrap(new int[]{1, 2, 4}, null)));
        assertFalse(Invariants.quorumsIntersect(ONE_TWO_THREE, Membership.bootstrap(new int[]{1, 2, 3, 4, 5}, null)));
    }
}
