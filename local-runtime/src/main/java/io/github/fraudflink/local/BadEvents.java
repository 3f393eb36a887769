package io.github.fraudflink.local;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A fixed corpus of malformed transaction messages, one per kind of bad input, each with the DLQ reason
 * code the job must give it. Mixed into demo and test traffic to show that bad input never stops the job.
 */
public final class BadEvents {
    /** One malformed message and the reason code expected in the dead-letter topic. */
    public record BadEvent(String kind, byte[] bytes, String expectedReason) {}

    private BadEvents() {}

    /** The corpus; {@code id} makes the transaction ids (where there are any) unique. */
    public static List<BadEvent> corpus(String id) {
        List<BadEvent> c = new ArrayList<>();
        String ok = "\"account_id\":\"A-" + id + "\",\"event_time\":\"2018-04-02T10:00:00Z\"";
        c.add(utf8("not-json", "this is not json " + id, "not_json"));
        c.add(utf8("truncated", "{\"transaction_id\":\"" + id + "\",\"account_id\":\"A1\",\"amou", "not_json"));
        c.add(utf8("array", "[\"" + id + "\"]", "not_an_object"));
        c.add(utf8("duplicate-field", "{\"transaction_id\":\"" + id + "\",\"transaction_id\":\"x\"," + ok + ",\"amount\":1}", "duplicate_field"));
        c.add(utf8("missing-id", "{" + ok + ",\"amount\":10}", "missing_transaction_id"));
        c.add(utf8("wrong-type-id", "{\"transaction_id\":[1]," + ok + ",\"amount\":10}", "invalid_transaction_id"));
        c.add(utf8("missing-account", "{\"transaction_id\":\"" + id + "\",\"event_time\":\"2018-04-02T10:00:00Z\",\"amount\":1}", "missing_account_id"));
        c.add(utf8("missing-time", "{\"transaction_id\":\"" + id + "\",\"account_id\":\"A1\",\"amount\":1}", "missing_event_time"));
        c.add(utf8("bad-time", "{\"transaction_id\":\"" + id + "\",\"account_id\":\"A1\",\"event_time\":\"32/13/2018\",\"amount\":1}", "invalid_event_time"));
        c.add(utf8("before-2000", "{\"transaction_id\":\"" + id + "\",\"account_id\":\"A1\",\"event_time\":\"1969-07-20T20:17:00Z\",\"amount\":1}", "event_time_too_old"));
        c.add(utf8("epoch-seconds", "{\"transaction_id\":\"" + id + "\",\"account_id\":\"A1\",\"event_time\":1522663200,\"amount\":1}", "event_time_too_old"));
        c.add(utf8("nul-in-account", "{\"transaction_id\":\"" + id + "\",\"account_id\":\"acct-\\u0000x\",\"event_time\":\"2018-04-02T10:00:00Z\",\"amount\":1}", "invalid_account_id"));
        c.add(utf8("lone-surrogate", "{\"transaction_id\":\"" + id + "\\ud800\"," + ok + ",\"amount\":1}", "invalid_transaction_id"));
        c.add(utf8("two-objects", "{\"transaction_id\":\"" + id + "\"," + ok + ",\"amount\":1}{\"transaction_id\":\"" + id + "-2\"," + ok + ",\"amount\":1}", "trailing_data"));
        c.add(utf8("java-double", "{\"transaction_id\":\"" + id + "\"," + ok + ",\"amount\":\"12.5d\"}", "invalid_amount"));
        c.add(utf8("tiny-amount", "{\"transaction_id\":\"" + id + "\"," + ok + ",\"amount\":1e-300}", "amount_too_small"));
        c.add(new BadEvent("utf-16", ("{\"transaction_id\":\"" + id + "\"," + ok + ",\"amount\":1}").getBytes(StandardCharsets.UTF_16LE), "bad_encoding"));
        c.add(utf8("far-future", "{\"transaction_id\":\"" + id + "\",\"account_id\":\"A1\",\"event_time\":\"2999-01-01T00:00:00Z\",\"amount\":1}", "event_time_in_future"));
        c.add(utf8("missing-amount", "{\"transaction_id\":\"" + id + "\"," + ok + "}", "missing_amount"));
        c.add(utf8("text-amount", "{\"transaction_id\":\"" + id + "\"," + ok + ",\"amount\":\"a lot\"}", "invalid_amount"));
        c.add(utf8("nan-amount", "{\"transaction_id\":\"" + id + "\"," + ok + ",\"amount\":\"NaN\"}", "invalid_amount"));
        c.add(utf8("zero-amount", "{\"transaction_id\":\"" + id + "\"," + ok + ",\"amount\":0}", "non_positive_amount"));
        c.add(utf8("negative-amount", "{\"transaction_id\":\"" + id + "\"," + ok + ",\"amount\":-12.5}", "non_positive_amount"));
        c.add(utf8("huge-amount", "{\"transaction_id\":\"" + id + "\"," + ok + ",\"amount\":1e12}", "amount_too_large"));
        c.add(utf8("unknown-currency", "{\"transaction_id\":\"" + id + "\"," + ok + ",\"amount\":5,\"currency\":\"ZZZ\"}", "invalid_currency"));
        c.add(utf8("bad-coordinates", "{\"transaction_id\":\"" + id + "\"," + ok + ",\"amount\":5,\"lat\":123.4}", "invalid_coordinates"));
        c.add(utf8("bad-attributes", "{\"transaction_id\":\"" + id + "\"," + ok + ",\"amount\":5,\"attributes\":{\"V1\":\"high\"}}", "invalid_attributes"));
        c.add(new BadEvent("empty", new byte[0], "empty"));
        c.add(utf8("oversized", "{\"transaction_id\":\"" + id + "\"," + ok + ",\"amount\":5,\"note\":\"" + "x".repeat(70_000) + "\"}", "oversized"));
        c.add(new BadEvent("latin-1", ("{\"transaction_id\":\"" + id + "\",\"account_id\":\"Andr\u00e9\",\"event_time\":\"2018-04-02T10:00:00Z\",\"amount\":1}")
                .getBytes(StandardCharsets.ISO_8859_1), "bad_encoding"));
        return c;
    }

    private static BadEvent utf8(String kind, String s, String reason) {
        return new BadEvent(kind, s.getBytes(StandardCharsets.UTF_8), reason);
    }
}
