package io.github.fraudflink.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TransactionParserTest {
    private static final long INGEST = Instant.parse("2024-05-01T12:00:00Z").toEpochMilli();
    private final TransactionParser parser = new TransactionParser();

    private Transaction parse(String json) throws InvalidTransactionException {
        return parser.parse(json.getBytes(StandardCharsets.UTF_8), INGEST);
    }

    @Test
    void parsesEveryField() throws Exception {
        Transaction t = parse("{\"transaction_id\":\"t1\",\"account_id\":\"A7\",\"event_time\":\"2024-05-01T11:59:00+02:00\","
                + "\"amount\":12.5,\"currency\":\"EUR\",\"terminal_id\":\"T9\",\"merchant_id\":\"M1\",\"merchant_category\":\"5411\","
                + "\"country\":\"BE\",\"lat\":50.8,\"lon\":4.35,\"attributes\":{\"V1\":-1.5,\"V2\":0.25},\"unknown\":[1,2]}");
        assertThat(t.transactionId).isEqualTo("t1");
        assertThat(t.accountId).isEqualTo("A7");
        assertThat(t.eventTime).isEqualTo(Instant.parse("2024-05-01T09:59:00Z").toEpochMilli());
        assertThat(t.ingestTime).isEqualTo(INGEST);
        assertThat(t.amount).isEqualTo(12.5);
        assertThat(t.currency).isEqualTo("EUR");
        assertThat(t.terminalId).isEqualTo("T9");
        assertThat(t.merchantId).isEqualTo("M1");
        assertThat(t.merchantCategory).isEqualTo("5411");
        assertThat(t.country).isEqualTo("BE");
        assertThat(t.lat).isEqualTo(50.8);
        assertThat(t.lon).isEqualTo(4.35);
        assertThat(t.attributes).isEqualTo(Map.of("V1", -1.5, "V2", 0.25));
    }

    @Test
    void acceptsEpochMillisAndNumericIds() throws Exception {
        Transaction t = parse("{\"transaction_id\":42,\"account_id\":7,\"event_time\":1714564000000,\"amount\":\"3.10\"}");
        assertThat(t.transactionId).isEqualTo("42");
        assertThat(t.accountId).isEqualTo("7");
        assertThat(t.eventTime).isEqualTo(1714564000000L);
        assertThat(t.amount).isEqualTo(3.10);
        assertThat(t.currency).isNull();
        assertThat(t.attributes).isNull();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "not json                | hello                                                                                  | NOT_JSON",
        "truncated               | {\"transaction_id\":\"t1\",\"account_id\":\"a\",\"event_ti                          | NOT_JSON",
        "array                   | [1,2]                                                                                  | NOT_AN_OBJECT",
        "string                  | \"x\"                                                                                  | NOT_AN_OBJECT",
        "duplicate field         | {\"transaction_id\":\"t1\",\"transaction_id\":\"t2\"}                                  | DUPLICATE_FIELD",
        "missing id              | {\"account_id\":\"a\",\"event_time\":1714550000000,\"amount\":1}                                   | MISSING_TRANSACTION_ID",
        "null id                 | {\"transaction_id\":null,\"account_id\":\"a\",\"event_time\":1714550000000,\"amount\":1}           | MISSING_TRANSACTION_ID",
        "empty id                | {\"transaction_id\":\" \",\"account_id\":\"a\",\"event_time\":1714550000000,\"amount\":1}          | INVALID_TRANSACTION_ID",
        "object id               | {\"transaction_id\":{},\"account_id\":\"a\",\"event_time\":1714550000000,\"amount\":1}             | INVALID_TRANSACTION_ID",
        "missing account         | {\"transaction_id\":\"t\",\"event_time\":1714550000000,\"amount\":1}                               | MISSING_ACCOUNT_ID",
        "bool account            | {\"transaction_id\":\"t\",\"account_id\":true,\"event_time\":1714550000000,\"amount\":1}           | INVALID_ACCOUNT_ID",
        "missing time            | {\"transaction_id\":\"t\",\"account_id\":\"a\",\"amount\":1}                           | MISSING_EVENT_TIME",
        "bad time                | {\"transaction_id\":\"t\",\"account_id\":\"a\",\"event_time\":\"yesterday\",\"amount\":1} | INVALID_EVENT_TIME",
        "time without offset     | {\"transaction_id\":\"t\",\"account_id\":\"a\",\"event_time\":\"2024-05-01T10:00:00\",\"amount\":1} | INVALID_EVENT_TIME",
        "time before 1970        | {\"transaction_id\":\"t\",\"account_id\":\"a\",\"event_time\":\"1969-12-31T23:00:00Z\",\"amount\":1} | EVENT_TIME_TOO_OLD",
        "negative epoch          | {\"transaction_id\":\"t\",\"account_id\":\"a\",\"event_time\":-5,\"amount\":1}         | EVENT_TIME_TOO_OLD",
        "far future              | {\"transaction_id\":\"t\",\"account_id\":\"a\",\"event_time\":\"2031-01-01T00:00:00Z\",\"amount\":1} | EVENT_TIME_IN_FUTURE",
        "missing amount          | {\"transaction_id\":\"t\",\"account_id\":\"a\",\"event_time\":1714550000000}                       | MISSING_AMOUNT",
        "text amount             | {\"transaction_id\":\"t\",\"account_id\":\"a\",\"event_time\":1714550000000,\"amount\":\"ten\"}    | INVALID_AMOUNT",
        "NaN amount              | {\"transaction_id\":\"t\",\"account_id\":\"a\",\"event_time\":1714550000000,\"amount\":\"NaN\"}    | INVALID_AMOUNT",
        "infinite amount         | {\"transaction_id\":\"t\",\"account_id\":\"a\",\"event_time\":1714550000000,\"amount\":1e400}      | INVALID_AMOUNT",
        "array amount            | {\"transaction_id\":\"t\",\"account_id\":\"a\",\"event_time\":1714550000000,\"amount\":[1]}        | INVALID_AMOUNT",
        "zero amount             | {\"transaction_id\":\"t\",\"account_id\":\"a\",\"event_time\":1714550000000,\"amount\":0}          | NON_POSITIVE_AMOUNT",
        "negative amount         | {\"transaction_id\":\"t\",\"account_id\":\"a\",\"event_time\":1714550000000,\"amount\":-4.5}       | NON_POSITIVE_AMOUNT",
        "huge amount             | {\"transaction_id\":\"t\",\"account_id\":\"a\",\"event_time\":1714550000000,\"amount\":5e9}        | AMOUNT_TOO_LARGE",
        "unknown currency        | {\"transaction_id\":\"t\",\"account_id\":\"a\",\"event_time\":1714550000000,\"amount\":1,\"currency\":\"XYZ\"} | INVALID_CURRENCY",
        "lowercase currency      | {\"transaction_id\":\"t\",\"account_id\":\"a\",\"event_time\":1714550000000,\"amount\":1,\"currency\":\"eur\"} | INVALID_CURRENCY",
        "latitude out of range   | {\"transaction_id\":\"t\",\"account_id\":\"a\",\"event_time\":1714550000000,\"amount\":1,\"lat\":91} | INVALID_COORDINATES",
        "text attribute          | {\"transaction_id\":\"t\",\"account_id\":\"a\",\"event_time\":1714550000000,\"amount\":1,\"attributes\":{\"V1\":\"x\"}} | INVALID_ATTRIBUTES",
        "epoch seconds           | {\"transaction_id\":\"t\",\"account_id\":\"a\",\"event_time\":1714550000,\"amount\":1} | EVENT_TIME_TOO_OLD",
        "fractional epoch        | {\"transaction_id\":\"t\",\"account_id\":\"a\",\"event_time\":1714550000000.5,\"amount\":1} | INVALID_EVENT_TIME",
        "huge epoch              | {\"transaction_id\":\"t\",\"account_id\":\"a\",\"event_time\":99999999999999999999999,\"amount\":1} | INVALID_EVENT_TIME",
        "two objects             | {\"transaction_id\":\"t\",\"account_id\":\"a\",\"event_time\":1714550000000,\"amount\":1}{\"transaction_id\":\"u\"} | TRAILING_DATA",
        "trailing garbage        | {\"transaction_id\":\"t\",\"account_id\":\"a\",\"event_time\":1714550000000,\"amount\":1} xyz | TRAILING_DATA",
        "trailing number         | {\"transaction_id\":\"t\",\"account_id\":\"a\",\"event_time\":1714550000000,\"amount\":1} 7 | TRAILING_DATA",
        "java double suffix      | {\"transaction_id\":\"t\",\"account_id\":\"a\",\"event_time\":1714550000000,\"amount\":\"12.5d\"} | INVALID_AMOUNT",
        "hex float               | {\"transaction_id\":\"t\",\"account_id\":\"a\",\"event_time\":1714550000000,\"amount\":\"0x1p4\"} | INVALID_AMOUNT",
        "exponent string         | {\"transaction_id\":\"t\",\"account_id\":\"a\",\"event_time\":1714550000000,\"amount\":\"1e2\"} | INVALID_AMOUNT",
        "padded string           | {\"transaction_id\":\"t\",\"account_id\":\"a\",\"event_time\":1714550000000,\"amount\":\" 12\"} | INVALID_AMOUNT",
        "leading zero number     | {\"transaction_id\":\"t\",\"account_id\":\"a\",\"event_time\":1714550000000,\"amount\":012} | NOT_JSON",
        "tiny amount             | {\"transaction_id\":\"t\",\"account_id\":\"a\",\"event_time\":1714550000000,\"amount\":1e-300} | AMOUNT_TOO_SMALL",
        "NUL in account          | {\"transaction_id\":\"t\",\"account_id\":\"acct-\\u0000x\",\"event_time\":1714550000000,\"amount\":1} | INVALID_ACCOUNT_ID",
        "NUL in terminal         | {\"transaction_id\":\"t\",\"account_id\":\"a\",\"terminal_id\":\"T\\u0000\",\"event_time\":1714550000000,\"amount\":1} | INVALID_OPTIONAL_FIELD",
        "lone surrogate          | {\"transaction_id\":\"t\",\"account_id\":\"a\\ud800\",\"event_time\":1714550000000,\"amount\":1} | INVALID_ACCOUNT_ID",
        "reversed pair           | {\"transaction_id\":\"t\\udc00\\ud800\",\"account_id\":\"a\",\"event_time\":1714550000000,\"amount\":1} | INVALID_TRANSACTION_ID",
        "non-character           | {\"transaction_id\":\"t\\uffff\",\"account_id\":\"a\",\"event_time\":1714550000000,\"amount\":1} | INVALID_TRANSACTION_ID",
        "right-to-left override  | {\"transaction_id\":\"t\",\"account_id\":\"a\\u202eb\",\"event_time\":1714550000000,\"amount\":1} | INVALID_ACCOUNT_ID",
        "right-to-left mark      | {\"transaction_id\":\"t\",\"account_id\":\"a\",\"merchant_id\":\"m\\u200f\",\"event_time\":1714550000000,\"amount\":1} | INVALID_OPTIONAL_FIELD",
        "newline in id           | {\"transaction_id\":\"t\\nu\",\"account_id\":\"a\",\"event_time\":1714550000000,\"amount\":1} | INVALID_TRANSACTION_ID",
        "long id                 | {\"transaction_id\":\"tttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttt\",\"account_id\":\"a\",\"event_time\":1714550000000,\"amount\":1} | INVALID_TRANSACTION_ID",
        "bad attribute name      | {\"transaction_id\":\"t\",\"account_id\":\"a\",\"event_time\":1714550000000,\"amount\":1,\"attributes\":{\"V\\u0000\":1}} | INVALID_ATTRIBUTES",
        "deep nesting            | {\"transaction_id\":\"t\",\"x\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]} | NOT_JSON",
        "object terminal         | {\"transaction_id\":\"t\",\"account_id\":\"a\",\"event_time\":1714550000000,\"amount\":1,\"terminal_id\":{}} | INVALID_OPTIONAL_FIELD",
    })
    void rejectsWithASpecificReason(String name, String json, RejectReason reason) {
        InvalidTransactionException e = catchThrowableOfType(InvalidTransactionException.class, () -> parse(json.strip()));
        assertThat(e).as(name).isNotNull();
        assertThat(e.reason()).as(name + ": " + e.getMessage()).isEqualTo(reason);
        assertThat(e.getMessage()).isNotBlank();
    }

    @Test
    void rejectsEmptyOversizedAndNonUtf8Messages() {
        assertThat(catchThrowableOfType(InvalidTransactionException.class, () -> parser.parse(new byte[0], INGEST)).reason())
                .isEqualTo(RejectReason.EMPTY);
        byte[] big = ("{\"transaction_id\":\"" + "x".repeat(70_000) + "\"}").getBytes(StandardCharsets.UTF_8);
        assertThat(catchThrowableOfType(InvalidTransactionException.class, () -> parser.parse(big, INGEST)).reason())
                .isEqualTo(RejectReason.OVERSIZED);
        byte[] latin1 = "{\"transaction_id\":\"caf\u00e9\",\"account_id\":\"a\",\"event_time\":1714550000000,\"amount\":1}"
                .getBytes(StandardCharsets.ISO_8859_1);
        assertThat(catchThrowableOfType(InvalidTransactionException.class, () -> parser.parse(latin1, INGEST)).reason())
                .isEqualTo(RejectReason.BAD_ENCODING);
    }

    @Test
    void rejectsEveryOtherEncoding() {
        String json = "{\"transaction_id\":\"t\",\"account_id\":\"a\",\"event_time\":1714550000000,\"amount\":1}";
        assertThat(reasonOf(json.getBytes(StandardCharsets.UTF_16BE))).isEqualTo(RejectReason.BAD_ENCODING);
        assertThat(reasonOf(json.getBytes(StandardCharsets.UTF_16LE))).isEqualTo(RejectReason.BAD_ENCODING);
        assertThat(reasonOf(json.getBytes(StandardCharsets.UTF_16))).isEqualTo(RejectReason.BAD_ENCODING); // with a BOM
        assertThat(reasonOf(json.getBytes(java.nio.charset.Charset.forName("UTF-32")))).isEqualTo(RejectReason.BAD_ENCODING);
        byte[] withBom = ("\uFEFF" + json).getBytes(StandardCharsets.UTF_8);
        assertThat(reasonOf(withBom)).isEqualTo(RejectReason.BAD_ENCODING);
        // CESU-8: the surrogate U+D800 encoded on its own as three bytes
        byte[] cesu = json.replace("\"a\"", "\"a###\"").getBytes(StandardCharsets.UTF_8);
        int at = new String(cesu, StandardCharsets.UTF_8).indexOf("###");
        cesu[at] = (byte) 0xED;
        cesu[at + 1] = (byte) 0xA0;
        cesu[at + 2] = (byte) 0x80;
        assertThat(reasonOf(cesu)).isEqualTo(RejectReason.BAD_ENCODING);
        // overlong encoding of '/' and a lone continuation byte
        byte[] overlong = json.replace("\"a\"", "\"a##\"").getBytes(StandardCharsets.UTF_8);
        int o = new String(overlong, StandardCharsets.UTF_8).indexOf("##");
        overlong[o] = (byte) 0xC0;
        overlong[o + 1] = (byte) 0xAF;
        assertThat(reasonOf(overlong)).isEqualTo(RejectReason.BAD_ENCODING);
    }

    @Test
    void rejectsImplausibleRecordTimestamps() {
        byte[] ok = "{\"transaction_id\":\"t\",\"account_id\":\"a\",\"event_time\":1714550000000,\"amount\":1}"
                .getBytes(StandardCharsets.UTF_8);
        for (long ts : new long[] {-1L, 0L, INGEST * 1_000L, INGEST * 1_000_000L, Long.MAX_VALUE}) {
            InvalidTransactionException e = catchThrowableOfType(InvalidTransactionException.class, () -> parser.parse(ok, ts));
            assertThat(e).as("record timestamp %d", ts).isNotNull();
            assertThat(e.reason()).isEqualTo(RejectReason.INVALID_RECORD_TIMESTAMP);
            assertThat(e.getMessage()).contains("LogAppendTime");
        }
    }

    private RejectReason reasonOf(byte[] bytes) {
        return catchThrowableOfType(InvalidTransactionException.class, () -> parser.parse(bytes, INGEST)).reason();
    }

    @Test
    void keepsValidUnicodeExactly() throws Exception {
        // emoji (a surrogate pair), decomposed e-acute, Arabic and a private-use character are kept as they are
        String id = "\uD83D\uDCB3-e\u0301-\u0645-\uE000";
        Transaction t = parse("{\"transaction_id\":\"" + id + "\",\"account_id\":\"  padded \",\"event_time\":1714550000000,\"amount\":1}");
        assertThat(t.transactionId).isEqualTo(id);
        assertThat(t.accountId).isEqualTo("padded"); // the documented normalisation: outer white space is removed
    }

    @Test
    void writerOutputParsesBackToTheSameTransaction() throws Exception {
        Transaction t = new Transaction("t-9", "acct-1", Instant.parse("2024-05-01T10:15:30.123Z").toEpochMilli(), 42.17);
        t.currency = "USD";
        t.terminalId = "T1";
        t.lat = 12.5;
        t.lon = -3.25;
        t.attributes = new java.util.TreeMap<>(Map.of("V1", 0.5, "V28", -1.0));
        byte[] json = TransactionJson.write(t, Map.of("is_fraud", true));
        Transaction back = parser.parse(json, INGEST);
        t.ingestTime = INGEST;
        assertThat(back).isEqualTo(t);
        assertThat(new String(json, StandardCharsets.UTF_8)).contains("\"is_fraud\":true");
    }
}
