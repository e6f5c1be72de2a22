package io.hookpost;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class IdsTest {
    private static final String ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    /** The ids issued before: the 16 bytes (6 of milliseconds, 10 random) as one number, in 22 base62 digits. */
    private static String byBigInteger(long millis, byte[] random) {
        byte[] bytes = new byte[16];
        for (int i = 0; i < 6; i++) {
            bytes[i] = (byte) (millis >>> (8 * (5 - i)));
        }
        System.arraycopy(random, 0, bytes, 6, 10);
        BigInteger value = new BigInteger(1, bytes);
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < 22; i++) {
            BigInteger[] qr = value.divideAndRemainder(BigInteger.valueOf(62));
            out.insert(0, ALPHABET.charAt(qr[1].intValue()));
            value = qr[0];
        }
        return out.toString();
    }

    @Test
    void encodesTimeAndRandomnessExactlyAsTheIdsIssuedBefore() {
        Random random = new Random(42);
        List<long[]> times = List.of(new long[] {0L}, new long[] {1L}, new long[] {(1L << 48) - 1},
                new long[] {1_790_000_000_000L});
        for (long[] time : times) {
            for (byte fill : new byte[] {0, (byte) 0xFF, 0x7F, (byte) 0x80}) {
                byte[] bytes = new byte[10];
                Arrays.fill(bytes, fill);
                assertThat(Ids.encode(time[0], bytes)).isEqualTo(byBigInteger(time[0], bytes));
            }
        }
        for (int n = 0; n < 100_000; n++) {
            long millis = random.nextLong() & 0xFFFF_FFFF_FFFFL;
            byte[] bytes = new byte[10];
            random.nextBytes(bytes);
            assertThat(Ids.encode(millis, bytes)).isEqualTo(byBigInteger(millis, bytes));
        }
    }

    @Test
    void idsMadeLaterSortAfterIdsMadeEarlier() throws InterruptedException {
        List<String> made = new ArrayList<>();
        for (int n = 0; n < 5; n++) {
            made.add(Ids.next("msg"));
            Thread.sleep(2);
        }
        assertThat(made).isSorted().allSatisfy(id -> assertThat(id).matches("msg_[0-9A-Za-z]{22}"));
    }

    @Test
    void attemptIdsAreVersion7UuidsThatSortByTheTimeTheyWereMade() throws InterruptedException {
        List<String> made = new ArrayList<>();
        for (int n = 0; n < 5; n++) {
            long before = System.currentTimeMillis();
            java.util.UUID id = Ids.uuidV7();
            assertThat(id.version()).isEqualTo(7);
            assertThat(id.variant()).isEqualTo(2);
            // the first 48 bits are the milliseconds it was made
            assertThat(id.getMostSignificantBits() >>> 16).isBetween(before, System.currentTimeMillis());
            assertThat(java.util.UUID.fromString(id.toString())).isEqualTo(id);
            made.add(id.toString());
            Thread.sleep(2);
        }
        assertThat(made).isSorted()
                .allSatisfy(id -> assertThat(id).matches("[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"));
        assertThat(java.util.stream.Stream.generate(Ids::uuidV7).limit(10_000).distinct().count()).isEqualTo(10_000);
    }

    @Test
    void idsMadeOnManyThreadsAtOnceAreAllDistinct() throws Exception {
        // each thread has its own generator: seeded alike, threads making ids in the same millisecond would collide
        int threads = 8;
        int each = 20_000;
        java.util.Set<String> ids = java.util.concurrent.ConcurrentHashMap.newKeySet();
        var pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
        var start = new java.util.concurrent.CountDownLatch(1);
        List<java.util.concurrent.Future<?>> made = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            made.add(pool.submit(() -> {
                start.await();
                for (int n = 0; n < each; n++) {
                    ids.add(Ids.next("msg"));
                    ids.add(Ids.uuidV7().toString());
                }
                return null;
            }));
        }
        start.countDown();
        for (var future : made) {
            future.get();
        }
        pool.shutdown();
        assertThat(ids).hasSize(threads * each * 2);
    }
}
