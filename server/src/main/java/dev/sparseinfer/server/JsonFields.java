package dev.sparseinfer.server;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;

/** Optional fields of a request body, each refused in one line naming it when it has the wrong type. */
final class JsonFields {

    private JsonFields() {}

    static String string(JsonObject body, String name, String absent) {
        JsonElement e = body.get(name);
        if (e == null || e.isJsonNull()) {
            return absent;
        }
        if (!(e instanceof JsonPrimitive p) || !p.isString()) {
            throw ApiException.invalid(name, "'" + name + "' must be a string");
        }
        return p.getAsString();
    }

    static boolean bool(JsonObject body, String name, boolean absent) {
        JsonElement e = body.get(name);
        if (e == null || e.isJsonNull()) {
            return absent;
        }
        if (!(e instanceof JsonPrimitive p) || !p.isBoolean()) {
            throw ApiException.invalid(name, "'" + name + "' must be true or false");
        }
        return p.getAsBoolean();
    }

    /** A positive integer, or 0 when absent. */
    static int positiveInt(JsonObject body, String name) {
        JsonElement e = body.get(name);
        if (e == null || e.isJsonNull()) {
            return 0;
        }
        if (!(e instanceof JsonPrimitive p) || !p.isNumber()) {
            throw ApiException.invalid(name, "'" + name + "' must be a positive integer");
        }
        double v = p.getAsDouble();
        if (v != Math.rint(v) || v < 1 || v > Integer.MAX_VALUE) {
            throw ApiException.invalid(name, "'" + name + "' must be a positive integer, got " + p.getAsString());
        }
        return (int) v;
    }
}
