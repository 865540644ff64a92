package dev.asof.core;

/**
 * A list answer read a page at a time ({@link Page}, or a list with more to say about itself):
 * the cursor of the next page when there are more (the REST edge announces it as
 * {@code Link: <…>; rel="next"} too), and whether a read bound ended the page ({@link Page#bounded}).
 */
public interface Paged {
    String next();

    boolean bounded();
}
