#define _GNU_SOURCE
/* Prints the kernel ABI facts weft's jnr-ffi facade hard-codes, one "name value" per line, for the
 * architecture this file is compiled for. NativeLayoutTest compiles it for x86_64 and aarch64 and compares. TUN_F_USO4/6 (Linux 6.2)
 * are newer than the headers of Debian 12 and are not checked here. */
#include <stddef.h>
#include <sys/ioctl.h>
#include <stdio.h>
#include <fcntl.h>
#include <errno.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <net/if.h>
#include <linux/if_tun.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/virtio_net.h>

/* SCM_MAX_FD is the kernel's (include/net/scm.h), not in the uapi headers. */
#define SCM_MAX_FD_PROBE 253
#define CMSG_SPACE_OF_THREE_FDS CMSG_SPACE(4 * 3)
#define SIZE(t) printf("sizeof_%s %zu\n", #t, sizeof(struct t))
#define OFF(t, f) printf("offsetof_%s_%s %zu\n", #t, #f, offsetof(struct t, f))
#define VAL(c) printf("%s %ld\n", #c, (long)(c))

int main(void) {
    SIZE(epoll_event); OFF(epoll_event, events); OFF(epoll_event, data);
    SIZE(msghdr); OFF(msghdr, msg_name); OFF(msghdr, msg_namelen); OFF(msghdr, msg_iov); OFF(msghdr, msg_iovlen);
    OFF(msghdr, msg_control); OFF(msghdr, msg_controllen); OFF(msghdr, msg_flags);
    SIZE(mmsghdr); OFF(mmsghdr, msg_hdr); OFF(mmsghdr, msg_len);
    SIZE(iovec); OFF(iovec, iov_base); OFF(iovec, iov_len);
    SIZE(cmsghdr); OFF(cmsghdr, cmsg_len); OFF(cmsghdr, cmsg_level); OFF(cmsghdr, cmsg_type);
    printf("CMSG_DATA_OFFSET %ld\n", (long)CMSG_LEN(0));
    SIZE(sockaddr_in); OFF(sockaddr_in, sin_family); OFF(sockaddr_in, sin_port); OFF(sockaddr_in, sin_addr);
    SIZE(ifreq); OFF(ifreq, ifr_name); OFF(ifreq, ifr_flags);
    SIZE(nlmsghdr); SIZE(ifinfomsg); SIZE(ifaddrmsg); SIZE(rtmsg); SIZE(sockaddr_nl); SIZE(rtattr);
    SIZE(virtio_net_hdr);
    VAL(TUNSETIFF); VAL(TUNSETOFFLOAD); VAL(TUNSETVNETHDRSZ); VAL(IFF_TUN); VAL(IFF_NO_PI); VAL(IFF_VNET_HDR);
    VAL(IFF_MULTI_QUEUE); VAL(TUN_F_CSUM); VAL(TUN_F_TSO4); VAL(TUN_F_TSO6);
    VAL(EPOLLIN); VAL(EPOLLOUT); VAL(EPOLL_CTL_ADD); VAL(EPOLL_CTL_DEL); VAL(EPOLL_CLOEXEC);
    VAL(EFD_NONBLOCK); VAL(EFD_CLOEXEC); VAL(O_RDWR); VAL(O_NONBLOCK); VAL(O_CLOEXEC);
    VAL(SOL_SOCKET); VAL(SO_REUSEADDR); VAL(SO_REUSEPORT); VAL(SO_SNDBUF); VAL(SO_RCVBUF); VAL(SO_SNDBUFFORCE);
    VAL(SO_RCVBUFFORCE); VAL(SOCK_DGRAM); VAL(SOCK_NONBLOCK); VAL(SOCK_CLOEXEC); VAL(AF_INET); VAL(AF_NETLINK);
    VAL(IPPROTO_UDP); VAL(UDP_SEGMENT); VAL(UDP_GRO); VAL(MSG_DONTWAIT); VAL(MSG_TRUNC);
    SIZE(sockaddr_un); OFF(sockaddr_un, sun_path); SIZE(ucred); OFF(ucred, uid);
    VAL(TUNSETPERSIST); VAL(TUNGETIFF); VAL(IFF_PERSIST); VAL(SO_PEERCRED); VAL(SO_RCVTIMEO); VAL(SCM_RIGHTS);
    VAL(MSG_CMSG_CLOEXEC); VAL(MSG_CTRUNC); VAL(SCM_MAX_FD_PROBE); VAL(AF_UNIX); VAL(SOCK_SEQPACKET);
    VAL(CMSG_SPACE_OF_THREE_FDS); VAL(RTM_DELLINK); VAL(RTM_DELADDR); VAL(RTN_BLACKHOLE); VAL(RTA_PRIORITY);
    VAL(EADDRINUSE); VAL(ECONNREFUSED);
    VAL(EAGAIN); VAL(EINTR); VAL(EBADFD); VAL(EMSGSIZE); VAL(EINVAL); VAL(EIO); VAL(EPERM); VAL(ENOBUFS);
    return 0;
}
