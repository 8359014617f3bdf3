/**
 * Authenticated encapsulation between weft nodes (issue 20), the building blocks: a node's X25519 key pair
 * ({@link io.weft.auth.NodeKey}), per-direction AES-128 traffic keys through HKDF ({@link io.weft.auth.TrafficKey},
 * {@link io.weft.auth.Hkdf}), the sealing and opening of datagrams in place through libgcrypt
 * ({@link io.weft.auth.DatagramSeal}, {@link io.weft.auth.DatagramOpen}, {@link io.weft.auth.AuthHeader}; the wire
 * format is in DatagramSeal), and the per-sender-lane {@link io.weft.auth.ReplayWindow}. All native declarations live
 * in {@link io.weft.auth.LibGcrypt}; key exchange and key derivation stay in the JDK. It depends on nothing of
 * weft's.
 */
package io.weft.auth;
