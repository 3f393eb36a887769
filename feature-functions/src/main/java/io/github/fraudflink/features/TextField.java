package io.github.fraudflink.features;

/**
 * The rule every text field of the input contract follows (identifiers, terminal, merchant, country, attribute
 * names): the text a human can read and every sink can store the same way.
 *
 * <p>Rejected code points: control characters (Cc, e.g. NUL or a newline), format characters (Cf: right-to-left and
 * other bidirectional marks, zero-width joiners, the byte order mark), line and paragraph separators, unpaired
 * surrogates and Unicode non-characters (U+FDD0..U+FDEF, U+xxFFFE, U+xxFFFF). Everything else, private-use and
 * not yet assigned code points included, is kept exactly: no Unicode normalisation, so "é" precomposed and "é"
 * decomposed are two different identifiers. PostgreSQL cannot store NUL or unpaired surrogates at all, and a
 * bidirectional mark makes two identifiers look alike; rejecting them here keeps Kafka and PostgreSQL identical.
 */
public final class TextField {
    private TextField() {}

    /** Why {@code s} breaks the rule (naming the code point and its position), or null when it follows it. */
    public static String problem(String s) {
        for (int i = 0; i < s.length(); ) {
            char c = s.charAt(i);
            int cp;
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                cp = Character.toCodePoint(c, s.charAt(i + 1));
            } else if (Character.isSurrogate(c)) {
                return "an unpaired surrogate " + hex(c) + " at position " + i;
            } else {
                cp = c;
            }
            String what = forbidden(cp);
            if (what != null) {
                return what + " " + hex(cp) + " at position " + i;
            }
            i += Character.charCount(cp);
        }
        return null;
    }

    private static String forbidden(int cp) {
        if ((cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFE) == 0xFFFE) {
            return "a non-character";
        }
        switch (Character.getType(cp)) {
            case Character.CONTROL:
                return "a control character";
            case Character.FORMAT:
                return "an invisible format character";
            case Character.LINE_SEPARATOR:
            case Character.PARAGRAPH_SEPARATOR:
                return "a line separator";
            default:
                return null;
        }
    }

    /** Length in code points. */
    public static int length(String s) {
        return s.codePointCount(0, s.length());
    }

    private static String hex(int cp) {
        return String.format("U+%04X", cp);
    }
}
