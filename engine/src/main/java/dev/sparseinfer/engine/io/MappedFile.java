package dev.sparseinfer.engine.io;

/** A model file mapped into memory, whose views stay valid until it is closed. */
public interface MappedFile extends AutoCloseable {

    /**
     * Lets the operating system drop the file's pages from this process's resident memory. Reading on is safe: a
     * page read again comes back from the page cache. Worth it once a model is built, when most bytes (the layers
     * the backend has copied, the digests checked at load) will not be read again.
     */
    void releasePages();

    /** Unmaps the file: views of it throw {@link IllegalStateException} from then on. Closing twice does nothing. */
    @Override
    void close();
}
