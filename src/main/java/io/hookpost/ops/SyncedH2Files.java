package io.hookpost.ops;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;

import org.h2.mvstore.DataUtils;
import org.h2.store.fs.FileBase;
import org.h2.store.fs.FilePath;
import org.h2.store.fs.FilePathWrapper;
import org.springframework.beans.factory.config.BeanFactoryPostProcessor;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The embedded H2 database's file system {@code sync:} (its URL in application.yaml is {@code jdbc:h2:sync:file:…}):
 * H2's own disk files, opened for synchronous writes ({@code O_DSYNC}), so a commit is on the disk when it returns,
 * and with a store header that leads to the newest commit, so a crash loses none.
 * <p>
 * H2 writes a commit to the operating system before it returns ({@code WRITE_DELAY=0}) but forces its file to disk
 * only on {@code CHECKPOINT SYNC} or at close: a killed process loses nothing, a power cut or a kernel crash can lose
 * the last commits. The fan-out acknowledges an event's queue message once the event is committed, and the broker
 * syncs its journal, so such a commit lost would be an event lost. PostgreSQL syncs its commits itself.
 * <p>
 * Written here because H2 has no setting for it; its file systems are pluggable ({@link FilePath#register}), and
 * its disk file system opens a file for synchronous writes when asked for mode {@code rwd}. Registered before any
 * bean is made, so before the data source opens the database. See {@link NewestChunkHeader} for the header.
 */
@Configuration(proxyBeanMethods = false)
public class SyncedH2Files {

    @Bean
    static BeanFactoryPostProcessor syncedH2FileSystem() {
        return beanFactory -> FilePath.register(new Synced());
    }

    /** A path of the file system {@code sync:}: the wrapped path, opened for synchronous writes. */
    public static final class Synced extends FilePathWrapper {
        @Override
        public FileChannel open(String mode) throws IOException {
            return "rw".equals(mode) ? new NewestChunkHeader(getBase().open("rwd")) : getBase().open(mode);
        }

        @Override
        public String getScheme() {
            return "sync";
        }
    }

    /**
     * A database file whose store header names the newest chunk written. H2 (2.5.250 and 2.5.252) writes each commit
     * as a chunk and, when the chunk is not where the previous one's {@code next} predicted (it went into space freed
     * meanwhile), rewrites the store header at the start of the file so that a restart after a crash finds it; but it
     * writes the header before it counts the new chunk as its last, so the header names the previous chunk, whose
     * {@code next} leads elsewhere. After a crash H2 follows that chain, misses the new chunk and every one after it
     * until its next header write (up to 20 commits later), and opens the database as it was before them: committed
     * rows gone (an account answered 201 and killed within seconds was 404 after the restart; a plain H2 program
     * that copies its file after each commit, as a crash would leave it, lost 185 of 300 commits; H2 2.4.240 none).
     * <p>
     * Written here because no H2 release has it right and H2's file system is the one place Hookpost sees its writes:
     * a write of a chunk is noted (each starts with its header, {@code chunk:<id>,…,version:<v>,…}), and a store header
     * written while a newer chunk is on disk is rewritten, with its checksum, to name that chunk. H2's recovery then
     * starts at the newest chunk; it still checks that chunk and falls back to older ones as it would. A chunk H2 moves
     * to compact the file keeps its version: the newest chunk moved is noted at its new place.
     */
    static final class NewestChunkHeader extends FileBase {
        private static final int BLOCK_SIZE = 4096;
        private static final int HEADER_LENGTH = 2 * BLOCK_SIZE;
        private static final int MAX_CHUNK_HEADER_LENGTH = 1024;
        private static final byte[] CHUNK = "chunk:".getBytes(StandardCharsets.ISO_8859_1);

        private final FileChannel file;
        // H2 writes chunks and headers one at a time (under its own lock); these are read and set only then
        private long newestVersion = -1;
        private long newestBlock;
        private int newestId;

        NewestChunkHeader(FileChannel file) {
            this.file = file;
        }

        @Override
        public synchronized int write(ByteBuffer src, long position) throws IOException {
            if (position == 0 && src.remaining() == HEADER_LENGTH) {
                ByteBuffer header = leadingToNewestChunk(src);
                if (header != null) {
                    int length = src.remaining();
                    while (header.hasRemaining()) {
                        file.write(header, header.position());
                    }
                    src.position(src.limit());
                    return length;
                }
            } else if (position % BLOCK_SIZE == 0 && startsWith(src, CHUNK)) {
                noteChunk(src, position / BLOCK_SIZE);
            }
            return file.write(src, position);
        }

        /** Notes the chunk whose write starts with this buffer when it is the newest yet, or the newest one moved. */
        private void noteChunk(ByteBuffer chunk, long block) {
            HashMap<String, String> header = headerMap(chunk, Math.min(chunk.remaining(), MAX_CHUNK_HEADER_LENGTH));
            if (header == null || header.get("chunk") == null || header.get("version") == null) {
                return;
            }
            try {
                long version = DataUtils.parseHexLong(header.get("version"));
                int id = DataUtils.parseHexInt(header.get("chunk"));
                if (version >= newestVersion) {
                    newestVersion = version;
                    newestBlock = block;
                    newestId = id;
                }
            } catch (RuntimeException notAChunkHeader) {
                // not one H2 wrote: the write goes on as it is, and the header is left to H2
            }
        }

        /** The store header to write instead of this one, which names an older chunk than the newest written; or null. */
        private ByteBuffer leadingToNewestChunk(ByteBuffer written) {
            HashMap<String, String> header = headerMap(written, BLOCK_SIZE);
            if (newestVersion < 0 || header == null || !header.containsKey("H") || header.get("version") == null
                    || !header.get("version").matches("[0-9a-f]{1,16}")
                    || Long.parseUnsignedLong(header.get("version"), 16) >= newestVersion) {
                return null;
            }
            header.remove("fletcher");
            header.put("block", Long.toHexString(newestBlock));
            header.put("chunk", Integer.toHexString(newestId));
            header.put("version", Long.toHexString(newestVersion));
            // as H2 writes it: the map, its Fletcher-32 checksum, a line end; the same again in the second block
            StringBuilder text = DataUtils.appendMap(new StringBuilder(128), header);
            byte[] bytes = text.toString().getBytes(StandardCharsets.ISO_8859_1);
            DataUtils.appendMap(text, "fletcher", DataUtils.getFletcher32(bytes, 0, bytes.length));
            bytes = text.append('\n').toString().getBytes(StandardCharsets.ISO_8859_1);
            if (bytes.length > BLOCK_SIZE) {
                return null;
            }
            ByteBuffer corrected = ByteBuffer.allocate(HEADER_LENGTH);
            corrected.put(bytes).position(BLOCK_SIZE);
            corrected.put(bytes).rewind();
            return corrected;
        }

        /** The key:value map in the buffer's first line (at most {@code max} bytes), or null if it has none. */
        private static HashMap<String, String> headerMap(ByteBuffer buffer, int max) {
            byte[] bytes = new byte[max];
            buffer.get(buffer.position(), bytes);
            int end = 0;
            while (end < max && bytes[end] != '\n') {
                end++;
            }
            if (end == max) {
                return null;
            }
            try {
                return DataUtils.parseMap(new String(bytes, 0, end, StandardCharsets.ISO_8859_1));
            } catch (RuntimeException notAMap) {
                return null;
            }
        }

        private static boolean startsWith(ByteBuffer buffer, byte[] prefix) {
            if (buffer.remaining() < prefix.length) {
                return false;
            }
            for (int i = 0; i < prefix.length; i++) {
                if (buffer.get(buffer.position() + i) != prefix[i]) {
                    return false;
                }
            }
            return true;
        }

        // everything else as the file itself does it; positional reads unsynchronised, as H2's pages are read

        @Override
        public int read(ByteBuffer dst, long position) throws IOException {
            return file.read(dst, position);
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            return file.read(dst);
        }

        @Override
        public synchronized int write(ByteBuffer src) throws IOException {
            long position = file.position();
            int written = write(src, position);
            file.position(position + written);
            return written;
        }

        @Override
        public long position() throws IOException {
            return file.position();
        }

        @Override
        public FileChannel position(long newPosition) throws IOException {
            file.position(newPosition);
            return this;
        }

        @Override
        public long size() throws IOException {
            return file.size();
        }

        @Override
        public FileChannel truncate(long size) throws IOException {
            file.truncate(size);
            return this;
        }

        @Override
        public void force(boolean metaData) throws IOException {
            file.force(metaData);
        }

        @Override
        public FileLock tryLock(long position, long size, boolean shared) throws IOException {
            return file.tryLock(position, size, shared);
        }

        @Override
        public FileLock lock(long position, long size, boolean shared) throws IOException {
            return file.lock(position, size, shared);
        }

        @Override
        public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
            return file.map(mode, position, size);
        }

        @Override
        protected void implCloseChannel() throws IOException {
            file.close();
        }
    }
}
