package io.weft.registry;

import io.weft.routing.Ipv4Addresses;
import io.weft.routing.Ipv4Prefix;

/** A node's subnet lease as flannel stores it: the pod subnet and the node's underlay address (PublicIP). */
public record Lease(Ipv4Prefix subnet, int publicIp)
{
    /** flannel's key name for a subnet: "10.244.1.0-24". */
    public String keyName()
    {
        return Ipv4Addresses.format(subnet.address()) + "-" + subnet.length();
    }

    @Override
    public String toString()
    {
        return subnet + " -> " + Ipv4Addresses.format(publicIp);
    }
}
