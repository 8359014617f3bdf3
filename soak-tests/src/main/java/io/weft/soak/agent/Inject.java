package io.weft.soak.agent;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Sends crafted datagrams at weftd ports: {@code Inject SEED COUNT_EACH BIND_IP TARGET_IP:PORT:INNER_SRC:INNER_DST:
 * KIND[,KIND...] ...}; prints {@code SENT TARGET KIND N} per target and kind. Run in the hub (no lease) or in a node.
 */
public final class Inject {
    private Inject() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 4) {
            System.out.println("usage: Inject SEED COUNT_EACH BIND_IP TARGET_IP:PORT:INNER_SRC:INNER_DST:KINDS ...");
            System.exit(2);
        }
        Random random = new Random(Long.parseLong(args[0]));
        int countEach = Integer.parseInt(args[1]);
        List<String> lines = new ArrayList<>();
        try (DatagramChannel channel = DatagramChannel.open()) {
            channel.bind(new InetSocketAddress(args[2], 0));
            for (int i = 3; i < args.length; i++) {
                String[] target = args[i].split(":");
                InetSocketAddress address = new InetSocketAddress(target[0], Integer.parseInt(target[1]));
                int innerSource = ProbeSender.ipv4(target[2]);
                int innerDestination = ProbeSender.ipv4(target[3]);
                for (String kindName : target[4].split(",")) {
                    Crafted kind = Crafted.valueOf(kindName);
                    int sent = 0;
                    for (int n = 0; n < countEach; n++) {
                        sent += channel.send(ByteBuffer.wrap(kind.datagram(innerSource, innerDestination, random)),
                            address) >= 0 ? 1 : 0;
                    }
                    lines.add("SENT " + target[0] + " " + kind + " " + sent);
                }
            }
        }
        lines.forEach(System.out::println);
    }
}
