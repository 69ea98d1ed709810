package io.raftline.engine;

/**
 * Decides whether a client may open a session. Called on the leader's agent thread when a SessionConnect arrives,
 * before anything is written to the log; it must not block.
 */
@FunctionalInterface
public interface Authenticator
{
    /**
     * Accept every client.
     */
    Authenticator ACCEPT_ALL = (credentials) -> null;

    /**
     * @param credentials the client sent, possibly empty.
     * @return null to accept the client, or the reason it is refused (sent back to the client).
     */
    String authenticate(byte[] credentials);
}
