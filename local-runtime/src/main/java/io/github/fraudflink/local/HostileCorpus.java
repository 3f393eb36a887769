package io.github.fraudflink.local;

import java.io.ByteArrayOutputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A generated corpus of hostile input for the transactions topic, written from the outside in: what producers,
 * bugs and attackers send, not what the parser's authors thought of. Every category of input that must never stop
 * scoring is there: random bytes, any JSON value, every troublesome kind of Unicode in every text field, every
 * number syntax, encodings other than UTF-8, concatenated and trailing data, deep nesting, field lengths, huge
 * messages near the broker's limit, and hostile Kafka keys. The same seed gives the same corpus byte for byte, so a
 * failure is replayed from the seed alone.
 *
 * <p>The corpus says what each message is; whether it is valid is for the parser to say (a few generated ones may
 * be valid transactions, and must then be scored like any other).
 */
public final class HostileCorpus {
    /** One message: its category, the Kafka key (may be null) and the value (may be null: a tombstone). */
    public record Message(String category, byte[] key, byte[] value) {}

    /** The largest message generated, just under the broker's default {@code message.max.bytes} (1 MiB + 12). */
    public static final int HUGE_BYTES = 1_000_000;

    private static final String[] NASTY = {
        "\u0000", "\u0001", "\n", "\r", "\t", "\u007f", "\u0085", "\u00ad", "\u200b", "\u200d", "\u200e", "\u200f",
        "\u202a", "\u202e", "\u2066", "\u2028", "\u2029", "\ufeff", "\ufdd0", "\ufffe", "\uffff", "\ud800", "\udfff",
        "\udbff\udfff", "\ud83d\ude00", "e\u0301", "\u0645\u0631\u062d\u0628\u0627", "\ue000", "\\", "\"", "'", "%s",
        "; DROP TABLE scored_transactions; --", "${jndi:ldap://x}", "\u0130", "\u00df", "  ",
    };
    private static final String[] TEXT_FIELDS = {"transaction_id", "account_id", "terminal_id", "merchant_id",
        "merchant_category", "country"};
    private static final String[] AMOUNTS = {"12.5d", "0x1p4", "1e400", "-1e400", "1e-300", "4.9e-324", "\"NaN\"",
        "\"Infinity\"", "NaN", "Infinity", "012", "+12", ".5", "5.", "1_000", "\"1,5\"", "\"12.5d\"", "\"0x1p4\"",
        "\"1e3\"", "\" 12\"", "\"\"", "true", "[12]", "{\"v\":12}", "1" + "0".repeat(400), "0.0000000001",
        "123456789012345678901234567890", "-0", "0", "1e6", "1000000.0000001", "\"12.50\"", "12.50"};
    private static final String[] TIMES = {"1714550000", "1714550000.5", "-1", "0", "99999999999999999999",
        "\"2024-05-01T11:00:00\"", "\"2024-05-01\"", "\"2024-13-01T00:00:00Z\"", "\"+10000-01-01T00:00:00Z\"",
        "\"2999-01-01T00:00:00Z\"", "\"1999-12-31T23:59:59Z\"", "\"yesterday\"", "null", "[]", "1.7145500e12",
        "\"1714550000000\"", "\"2024-05-01T11:00:00.123456789+14:00\""};

    private HostileCorpus() {}

    /** {@code n} hostile messages (at least one of every category when {@code n} allows), valid transactions' times near {@code now}. */
    public static List<Message> generate(long seed, int n, long now) {
        SplittableRandom r = new SplittableRandom(seed);
        List<Message> out = new ArrayList<>(n);
        int categories = 14;
        for (int i = 0; i < n; i++) {
            int c = i < categories ? i : r.nextInt(categories);
            out.add(message(c, r, seed + "-" + i, now));
        }
        return out;
    }

    private static Message message(int category, SplittableRandom r, String id, long now) {
        String ok = "\"transaction_id\":\"hx-" + id + "\",\"account_id\":\"HA-" + r.nextInt(50) + "\",\"event_time\":"
                + (now - r.nextLong(3_600_000L)) + ",\"amount\":" + (1 + r.nextInt(500)) + ".25";
        switch (category) {
            case 0: { // random bytes
                byte[] b = new byte[r.nextInt(400)];
                r.nextBytes(b);
                return new Message("random-bytes", null, b);
            }
            case 1: // any JSON value that is not an object, or an object with random content
                return utf8("json-value", null, randomJson(r, 0));
            case 2: { // a troublesome code point in one text field, as JSON escape or raw
                String field = TEXT_FIELDS[r.nextInt(TEXT_FIELDS.length)];
                String nasty = NASTY[r.nextInt(NASTY.length)];
                String value = "v" + (r.nextBoolean() ? escape(nasty) : rawOrEscape(nasty)) + "x";
                return utf8("unicode-" + field, null, "{" + replaceField(ok, field, "\"" + value + "\"") + "}");
            }
            case 3: { // number syntax of the amount
                return utf8("amount-syntax", null, "{" + replaceField(ok, "amount", AMOUNTS[r.nextInt(AMOUNTS.length)]) + "}");
            }
            case 4: // event time syntax and range
                return utf8("event-time", null, "{" + replaceField(ok, "event_time", TIMES[r.nextInt(TIMES.length)]) + "}");
            case 5: { // two objects, or trailing data
                String[] tails = {"{" + ok + "}", "xyz", "7", "]", "}", "\u0000", "//", "{", "[1]", " \n ", "null"};
                return utf8("trailing-data", null, "{" + ok + "}" + tails[r.nextInt(tails.length)]);
            }
            case 6: { // another encoding
                Charset[] cs = {StandardCharsets.UTF_16BE, StandardCharsets.UTF_16LE, StandardCharsets.UTF_16,
                    Charset.forName("UTF-32"), StandardCharsets.ISO_8859_1};
                String body = "{" + ok.replace("HA-", "H\u00c9-") + "}";
                return new Message("encoding", null, body.getBytes(cs[r.nextInt(cs.length)]));
            }
            case 7: { // invalid UTF-8 byte sequences: CESU-8 surrogates, overlong, lone continuation, truncated
                byte[][] bad = {{(byte) 0xED, (byte) 0xA0, (byte) 0x80}, {(byte) 0xC0, (byte) 0xAF}, {(byte) 0x80},
                    {(byte) 0xE2, (byte) 0x82}, {(byte) 0xF8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80},
                    {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, {(byte) 0xFF}};
                byte[] b = bad[r.nextInt(bad.length)];
                String before = "{" + ok.replace("\"HA-", "\"HA-@@");
                byte[] pre = before.substring(0, before.indexOf("@@")).getBytes(StandardCharsets.UTF_8);
                byte[] post = (before.substring(before.indexOf("@@") + 2) + "}").getBytes(StandardCharsets.UTF_8);
                ByteArrayOutputStream o = new ByteArrayOutputStream();
                o.writeBytes(r.nextBoolean() ? pre : new byte[0]);
                o.writeBytes(b);
                o.writeBytes(post);
                return new Message("invalid-utf8", null, o.toByteArray());
            }
            case 8: { // field lengths: ids from 100 to 300 characters, multi-byte ones included
                String field = TEXT_FIELDS[r.nextInt(TEXT_FIELDS.length)];
                String unit = r.nextBoolean() ? "x" : "\u00e9";
                return utf8("field-length", null, "{" + replaceField(ok, field, "\"" + unit.repeat(100 + r.nextInt(200)) + "\"") + "}");
            }
            case 9: { // deep nesting
                int depth = 20 + r.nextInt(2000);
                return utf8("deep-nesting", null, "{" + ok + ",\"x\":" + "[".repeat(depth) + "]".repeat(depth) + "}");
            }
            case 10: // duplicate fields, and field names that only look alike
                return utf8("duplicate-field", null, "{" + ok + (r.nextBoolean() ? ",\"amount\":3" : ",\"amount\\u0000\":3,\"Amount\":4") + "}");
            case 11: { // huge: just under the broker's limit, or a big but valid-looking padding field
                int size = r.nextBoolean() ? HUGE_BYTES - 200 - r.nextInt(1000) : 65_000 + r.nextInt(2_000);
                String pad = "{" + ok + ",\"note\":\"";
                return utf8("huge", null, pad + "y".repeat(Math.max(0, size - pad.length() - 2)) + "\"}");
            }
            case 12: { // a hostile Kafka key with a value that may be valid
                byte[] key = new byte[r.nextInt(3) == 0 ? 50_000 + r.nextInt(50_000) : r.nextInt(64)];
                r.nextBytes(key);
                return new Message("hostile-key", key, ("{" + ok + (r.nextBoolean() ? "" : ",\"amount\":0") + "}").getBytes(StandardCharsets.UTF_8));
            }
            default: { // empty, white space only, and a null value (tombstone)
                byte[][] v = {new byte[0], " ".getBytes(StandardCharsets.UTF_8), "\n\t ".getBytes(StandardCharsets.UTF_8), null};
                return new Message("empty", null, v[r.nextInt(v.length)]);
            }
        }
    }

    private static String replaceField(String ok, String field, String json) {
        String marker = "\"" + field + "\":";
        int at = ok.indexOf(marker);
        if (at < 0) {
            return ok + "," + marker + json;
        }
        int end = ok.indexOf(",\"", at + marker.length());
        return ok.substring(0, at) + marker + json + (end < 0 ? "" : ok.substring(end));
    }

    private static String escape(String s) {
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) {
            b.append(String.format("\\u%04x", (int) c));
        }
        return b.toString();
    }

    /** The text as it is, except what JSON cannot carry unescaped (quote, backslash, controls). */
    private static String rawOrEscape(String s) {
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) {
            b.append(c < 0x20 || c == '"' || c == '\\' ? String.format("\\u%04x", (int) c) : String.valueOf(c));
        }
        return b.toString();
    }

    private static String randomJson(SplittableRandom r, int depth) {
        switch (depth > 3 ? r.nextInt(4) : r.nextInt(7)) {
            case 0:
                return Long.toString(r.nextLong());
            case 1:
                return r.nextBoolean() ? "true" : (r.nextBoolean() ? "null" : "false");
            case 2:
                return "\"" + escape(NASTY[r.nextInt(NASTY.length)]) + "\"";
            case 3:
                return Double.toString(r.nextDouble() * 1e6);
            case 4: {
                StringBuilder b = new StringBuilder("[");
                for (int i = r.nextInt(4); i > 0; i--) {
                    b.append(randomJson(r, depth + 1)).append(i > 1 ? "," : "");
                }
                return b.append(']').toString();
            }
            default: {
                StringBuilder b = new StringBuilder("{");
                String[] keys = {"transaction_id", "account_id", "event_time", "amount", "attributes", "lat", "x"};
                for (int i = r.nextInt(6); i > 0; i--) {
                    b.append('"').append(keys[r.nextInt(keys.length)]).append("\":").append(randomJson(r, depth + 1))
                            .append(i > 1 ? "," : "");
                }
                return b.append('}').toString();
            }
        }
    }

    private static Message utf8(String category, byte[] key, String value) {
        return new Message(category, key, value.getBytes(StandardCharsets.UTF_8));
    }
}
