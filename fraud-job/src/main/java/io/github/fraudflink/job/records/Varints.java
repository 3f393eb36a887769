package io.github.fraudflink.job.records;

import java.io.IOException;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/** The variable-length integers of the job's hand-written serializers: unsigned LEB128, and zigzag for signed values. */
public final class Varints {
    private Varints() {}

    /** Unsigned LEB128: 7 bits a byte, low bits first, high bit set on every byte but the last; 1 to 10 bytes. */
    public static void writeVarint(DataOutputView out, long v) throws IOException {
        while ((v & ~0x7FL) != 0) {
            out.writeByte((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.writeByte((int) v);
    }

    public static long readVarint(DataInputView in) throws IOException {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            int b = in.readUnsignedByte();
            v |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return v;
            }
        }
        throw new IOException("corrupt serialized data: a varint longer than 10 bytes");
    }

    /** Zigzag: small magnitudes of either sign become small unsigned values (0, -1, 1, -2 ... to 0, 1, 2, 3 ...). */
    public static long zigzag(long v) {
        return (v << 1) ^ (v >> 63);
    }

    public static long unzigzag(long v) {
        return (v >>> 1) ^ -(v & 1);
    }

    public static void writeZigzag(DataOutputView out, long v) throws IOException {
        writeVarint(out, zigzag(v));
    }

    public static long readZigzag(DataInputView in) throws IOException {
        return unzigzag(readVarint(in));
    }
}
