package io.github.fraudflink.job.records;

import io.github.fraudflink.features.Transaction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.ObjectArrayTypeInfo;

/**
 * The type information of the records that cross the job's shuffles, with their hand-written serializers (no
 * reflection): use these instead of {@code TypeInformation.of(Transaction.class)} and
 * {@code TypeInformation.of(FeaturizedTransaction.class)}.
 */
public final class RecordTypes {
    /** A parsed transaction: {@link TransactionSerializer}. */
    public static final TypeInformation<Transaction> TRANSACTION =
            new SerializerTypeInfo<>(Transaction.class, TransactionSerializer.INSTANCE);

    /** A featurized transaction: {@link FeaturizedTransactionSerializer}. */
    public static final TypeInformation<FeaturizedTransaction> FEATURIZED =
            new SerializerTypeInfo<>(FeaturizedTransaction.class, FeaturizedTransactionSerializer.INSTANCE);

    /**
     * An array of featurized transactions (the terminal stage's held transactions): Flink's {@code
     * GenericArraySerializer} of {@link FeaturizedTransactionSerializer}, the same outer serializer as before so state
     * written with the POJO element serializer restores (compatible after migration).
     */
    public static final TypeInformation<FeaturizedTransaction[]> FEATURIZED_ARRAY =
            ObjectArrayTypeInfo.getInfoFor(FeaturizedTransaction[].class, FEATURIZED);

    /** A model-control event in the scorer's broadcast state: {@link ModelControlSerializer}. */
    public static final TypeInformation<ModelControl> MODEL_CONTROL_STATE =
            new SerializerTypeInfo<>(ModelControl.class, ModelControlSerializer.INSTANCE);

    /** A live model's verified bytes in the scorer's broadcast state: {@link StoredArtifactSerializer}. */
    public static final TypeInformation<StoredArtifact> STORED_ARTIFACT_STATE =
            new SerializerTypeInfo<>(StoredArtifact.class, StoredArtifactSerializer.INSTANCE);

    private RecordTypes() {}
}
