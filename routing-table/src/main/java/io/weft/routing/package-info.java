/**
 * The IPv4 longest-prefix-match table (DIR-16-8-8) and address helpers, pure Java without I/O. One writer builds
 * immutable {@code RouteSnapshot}s and publishes them through {@code RouteTable}; readers take a snapshot and look up
 * without locks, in at most three array reads.
 */
package io.weft.routing;
