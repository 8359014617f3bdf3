package io.weft.soak.observe;

/**
 * Something that happened to a checked TCP connection, as one of its ends saw it: {@code open, stall, resume,
 * corrupt, closed} at the sink ({@code receiver} is the sink's pod) or {@code connected, error, end} at the source;
 * {@code millis} is a stall's length (resume) and 0 otherwise.
 */
public record TcpEvent(long micros, String type, String source, String sink, long seed, long millis, String detail) {
}
