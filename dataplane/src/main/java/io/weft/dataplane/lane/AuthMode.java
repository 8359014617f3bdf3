package io.weft.dataplane.lane;

/**
 * {@code --auth}: whether datagrams between weft nodes carry an authenticator (issue 20). With {@link #ON} a node
 * advertises its key and authenticates with every node that advertises one too, while nodes without a key (flanneld,
 * older weft) are served as flannel serves them; {@link #REQUIRED} refuses those.
 */
public enum AuthMode {
    OFF,
    ON,
    REQUIRED;

    public boolean enabled() {
        return this != OFF;
    }
}
