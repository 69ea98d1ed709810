package io.raftline.engine.agent;

import io.raftline.engine.core.RoleListener;
import org.agrona.concurrent.Agent;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The agent runs the duty cycle and nothing else: leadership reaches the sessions through the core's role listener,
 * and rejected frames are counted by the counters, not by the agent.
 */
class AgentShapeTest
{
    @Test
    void raftAgentIsOnlyAnAgent()
    {
        assertArrayEquals(new Class<?>[]{Agent.class}, RaftAgent.class.getInterfaces());
    }

    @Test
    void sessionsHearOfLeadershipThroughTheRoleListener()
    {
        assertTrue(RoleListener.class.isAssignableFrom(SessionIngress.class));
        assertTrue(RoleListener.class.isAssignableFrom(MemberRole.class));
    }
}
