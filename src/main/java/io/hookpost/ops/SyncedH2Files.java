package io.hookpost.ops;

import java.io.IOException;
import java.nio.channels.FileChannel;

import org.h2.store.fs.FilePath;
import org.h2.store.fs.FilePathWrapper;
import org.springframework.beans.factory.config.BeanFactoryPostProcessor;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The embedded H2 database's file system {@code sync:} (its URL in application.yaml is {@code jdbc:h2:sync:file:…}):
 * H2's own disk files, opened for synchronous writes ({@code O_DSYNC}), so a commit is on the disk when it returns.
 * <p>
 * H2 writes a commit to the operating system before it returns ({@code WRITE_DELAY=0}) but forces its file to disk
 * only on {@code CHECKPOINT SYNC} or at close: a killed process loses nothing, a power cut or a kernel crash can lose
 * the last commits. The fan-out acknowledges an event's queue message once the event is committed, and the broker
 * syncs its journal, so such a commit lost would be an event lost. PostgreSQL syncs its commits itself.
 * <p>
 * Written here because H2 has no setting for it; its file systems are pluggable ({@link FilePath#register}), and
 * its disk file system opens a file for synchronous writes when asked for mode {@code rwd}. Registered before any
 * bean is made, so before the data source opens the database.
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
            return getBase().open("rw".equals(mode) ? "rwd" : mode);
        }

        @Override
        public String getScheme() {
            return "sync";
        }
    }
}
