package dev.sparseinfer.server;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;

/** The one Gson the server writes with: nulls kept, since OpenAI's error body has {@code "param": null}. */
final class ServerJson {

    static final Gson GSON =
            new GsonBuilder().serializeNulls().disableHtmlEscaping().create();

    private ServerJson() {}
}
