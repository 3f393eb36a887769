package io.github.fraudflink.data;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.github.fraudflink.features.Transaction;
import io.github.fraudflink.features.TransactionParser;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;

/**
 * {@link DatasetReader.Format#JSONL}: one input-schema transaction JSON per line (what {@code ./fraud simulate}
 * writes), label in {@code is_fraud} (true/false or 1/0), optional integer {@code fraud_scenario}.
 */
final class JsonLinesReader implements FormatReader {
    /** Same strictness as the job's parser (duplicate fields), and a line holds exactly one JSON value. */
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    @Override
    public RowStream open(Reader text, TransactionParser parser, boolean labels) {
        BufferedReader r = text instanceof BufferedReader b ? b : new BufferedReader(text);
        return new RowStream() {
            private long line;

            @Override
            public FileRow next() throws IOException {
                String s;
                do {
                    s = r.readLine();
                    if (s == null) {
                        return null;
                    }
                    line++;
                } while (s.isBlank());
                try {
                    return row(parser, line, s, labels);
                } catch (RowContract.Rejected e) {
                    return FileRow.rejected(line, e.getMessage(), s);
                }
            }

            @Override
            public void close() {
                // the caller owns the text
            }
        };
    }

    private static FileRow row(TransactionParser parser, long line, String s, boolean labels) throws RowContract.Rejected {
        JsonNode n;
        try {
            n = MAPPER.readTree(s);
        } catch (JsonProcessingException e) {
            String msg = e.getOriginalMessage();
            throw new RowContract.Rejected(msg != null && msg.startsWith("Duplicate field")
                    ? "duplicate_field: " + msg : "not valid JSON: " + msg);
        }
        if (n == null || !n.isObject()) {
            throw new RowContract.Rejected("not a JSON object");
        }
        Transaction t = RowContract.check(parser, n);
        JsonNode label = n.get("is_fraud");
        if (label == null || label.isNull()) {
            if (!labels) {
                return FileRow.valid(line, t, null, 0);
            }
            throw new RowContract.Rejected("missing label 'is_fraud' (true/false or 1/0)");
        }
        boolean isFraud;
        if (label.isBoolean()) {
            isFraud = label.booleanValue();
        } else if (label.isIntegralNumber() && (label.asLong() == 0 || label.asLong() == 1)) {
            isFraud = label.asLong() == 1;
        } else {
            throw new RowContract.Rejected("label 'is_fraud' must be true/false or 1/0, got "
                    + RowContract.abbreviate(label.toString()));
        }
        JsonNode scenario = n.get("fraud_scenario");
        int sc = isFraud ? -1 : 0;
        if (scenario != null && !scenario.isNull()) {
            if (!scenario.isIntegralNumber() || !scenario.canConvertToInt()) {
                throw new RowContract.Rejected("'fraud_scenario' must be an integer, got "
                        + RowContract.abbreviate(scenario.toString()));
            }
            sc = scenario.intValue();
        }
        return FileRow.valid(line, t, isFraud, sc);
    }
}
