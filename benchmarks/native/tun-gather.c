/*
 * What a TUN write of one TCP super-packet costs when its payloads lie apart, as the segments of a UDP GRO run do in
 * weft's receive slots (issue 21, perf-reports/cycle-budget.md "A gathered TUN write, tried"): each payload copied
 * into one buffer and written with write(2), as GroCoalescer does, against one writev(2) of the headers and every
 * payload where it lies, which saves the user-space copy but hands the kernel one iovec per segment. For reference,
 * write(2) of a buffer already contiguous (in cache). "hot": the same slots every time (in cache); "cold": 1,024 sets
 * of slots in turn (64 MB, more than the caches hold, as a receive batch that has left them). The segments are 1400
 * bytes of payload behind 40 bytes of IP and TCP headers, each in a slot of 1452 bytes at offset 52.
 *
 * As root (it makes a network namespace):
 *   gcc -O2 -o /tmp/tun-gather benchmarks/native/tun-gather.c && ip netns add tg && \
 *     ip netns exec tg taskset -c 1 /tmp/tun-gather; ip netns del tg
 *
 * Run it in a network namespace of its own: it makes a TUN device "tun-gather" with virtio_net_hdr and TSO, and a
 * blackhole route the packets go to, so the kernel drops each one at routing, after the copy. Prints ns per write of
 * 45 segments of 1400 bytes (63,000 bytes), best of 5 runs.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <linux/virtio_net.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

enum { SEGMENTS = 45, MSS = 1400, HEADERS = 40, VNET = 10, SLOT = 1452, SETS = 1024, WRITES = 20000, RUNS = 5 };
enum { TOTAL = VNET + HEADERS + SEGMENTS * MSS, SET_LENGTH = SEGMENTS * SLOT + 64, PAGE = 4096 };

static int tun;
static char *joined;
static char *sets;
static struct iovec iov[SETS][SEGMENTS + 1];

static double now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e9 + t.tv_nsec;
}

/* aligned_alloc wants a size that is a multiple of the alignment. */
static void *page_aligned(size_t length) {
    void *memory = aligned_alloc(PAGE, (length + PAGE - 1) / PAGE * PAGE);
    if (memory == NULL) {
        perror("aligned_alloc");
        exit(1);
    }
    return memory;
}

static void check(long written) {
    if (written != TOTAL) {
        perror("write");
        exit(1);
    }
}

/* mode 0: write of a contiguous buffer; 1: copy every payload into it, then write; 2: writev in place */
static double run(int mode, int cold) {
    double best = 1e18;
    for (int r = 0; r < RUNS; r++) {
        double start = now_ns();
        for (int i = 0; i < WRITES; i++) {
            int set = cold ? i % SETS : 0;
            if (mode == 1) {
                for (int s = 0; s < SEGMENTS; s++) {
                    memcpy(joined + VNET + HEADERS + s * MSS, iov[set][s + 1].iov_base, MSS);
                }
            }
            check(mode == 2 ? writev(tun, iov[set], SEGMENTS + 1) : write(tun, joined, TOTAL));
        }
        double ns = (now_ns() - start) / WRITES;
        best = ns < best ? ns : best;
    }
    return best;
}

static unsigned short ip_checksum(const unsigned char *header) {
    unsigned long sum = 0;
    for (int i = 0; i < 20; i += 2) {
        sum += header[i] << 8 | header[i + 1];
    }
    while (sum >> 16) {
        sum = (sum & 0xFFFF) + (sum >> 16);
    }
    return htons(~sum & 0xFFFF);
}

int main(void) {
    tun = open("/dev/net/tun", O_RDWR);
    struct ifreq ifr = {0};
    strcpy(ifr.ifr_name, "tun-gather");
    ifr.ifr_flags = IFF_TUN | IFF_NO_PI | IFF_VNET_HDR;
    int vnet = VNET;
    if (tun < 0 || ioctl(tun, TUNSETIFF, &ifr) || ioctl(tun, TUNSETVNETHDRSZ, &vnet) ||
        ioctl(tun, TUNSETOFFLOAD, TUN_F_CSUM | TUN_F_TSO4)) {
        perror("TUN device");
        return 1;
    }
    if (system("ip link set tun-gather up && ip route add blackhole 10.98.0.0/16") != 0) {
        return 1;
    }
    joined = page_aligned(65536 + PAGE);
    memset(joined, 0, TOTAL);
    struct virtio_net_hdr *header = (struct virtio_net_hdr *)joined;
    header->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
    header->gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
    header->hdr_len = HEADERS;
    header->gso_size = MSS;
    header->csum_start = 20;
    header->csum_offset = 16;
    unsigned char *ip = (unsigned char *)joined + VNET;
    ip[0] = 0x45;
    *(unsigned short *)(ip + 2) = htons(HEADERS + SEGMENTS * MSS);
    ip[6] = 0x40;
    ip[8] = 64;
    ip[9] = 6;
    *(unsigned *)(ip + 12) = inet_addr("10.99.0.2");
    *(unsigned *)(ip + 16) = inet_addr("10.98.0.5");
    *(unsigned short *)(ip + 10) = ip_checksum(ip);
    ip[20 + 12] = 0x50;
    ip[20 + 13] = 0x10;
    /* Each payload after its datagram's 52 bytes of headers (IP, TCP with timestamps), one datagram per 1452. */
    sets = page_aligned((size_t)SETS * SET_LENGTH);
    memset(sets, 7, (size_t)SETS * SET_LENGTH);
    for (int set = 0; set < SETS; set++) {
        iov[set][0].iov_base = joined;
        iov[set][0].iov_len = VNET + HEADERS;
        for (int s = 0; s < SEGMENTS; s++) {
            iov[set][s + 1].iov_base = sets + (size_t)set * SET_LENGTH + s * SLOT + 52;
            iov[set][s + 1].iov_len = MSS;
        }
    }
    printf("write of one whole buffer: %.0f ns\n", run(0, 0));
    for (int cold = 0; cold < 2; cold++) {
        double copied = run(1, cold);
        double gathered = run(2, cold);
        printf("%s: copy then write %.0f ns, writev of %d pieces %.0f ns\n", cold ? "cold" : "hot", copied,
            SEGMENTS + 1, gathered);
    }
    return 0;
}
