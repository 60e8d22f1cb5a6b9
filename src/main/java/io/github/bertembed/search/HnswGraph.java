package io.github.bertembed.search;

import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.lucene912.Lucene912Codec;
import org.apache.lucene.codecs.lucene99.Lucene99HnswScalarQuantizedVectorsFormat;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.NumericDocValues;
import org.apache.lucene.index.ReaderUtil;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A Lucene HNSW graph over an index's vectors ({@code hnsw/}: a plain Lucene index, one document a row with a
 * {@link KnnFloatVectorField} "vector" and the row number as doc values "row"), so that Solr, OpenSearch or
 * Elasticsearch, or Lucene itself, can read the same vectors. An int8 index's graph uses Lucene's scalar-quantized
 * format (the graph is searched over a byte a dimension; the floats stay beside it). Searching it returns
 * candidates, which the index rescores exactly.
 */
final class HnswGraph implements AutoCloseable {
    static final String FIELD = "vector";
    static final String ROW = "row";
    /** Lucene's default codec takes at most this many dimensions. */
    static final int MAX_DIMENSIONS = 1024;

    private final Directory directory;
    private final VectorSimilarityFunction similarity;
    private final boolean scalarQuantized;
    private DirectoryReader reader;

    HnswGraph(Path folder, boolean normalized, boolean scalarQuantized) throws IOException {
        this.directory = FSDirectory.open(folder);
        this.scalarQuantized = scalarQuantized;
        // unit vectors: the dot product; others: Lucene's inner-product scoring, which keeps the same order
        this.similarity = normalized ? VectorSimilarityFunction.DOT_PRODUCT
                : VectorSimilarityFunction.MAXIMUM_INNER_PRODUCT;
        if (DirectoryReader.indexExists(directory)) {
            reader = DirectoryReader.open(directory);
        }
    }

    static void checkDimension(int dimension) {
        if (dimension > MAX_DIMENSIONS) {
            throw new IllegalArgumentException("an HNSW graph takes at most " + MAX_DIMENSIONS
                    + " dimensions (Lucene's limit); these vectors have " + dimension);
        }
    }

    /** Rows in the graph. */
    long count() {
        return reader == null ? 0 : reader.numDocs();
    }

    /** Adds rows {@code [from, to)} of the float vectors, commits, and reopens the reader. */
    void add(FloatRows rows, long from, long to) throws IOException {
        if (from >= to) {
            return;
        }
        IndexWriterConfig config = new IndexWriterConfig().setOpenMode(IndexWriterConfig.OpenMode.CREATE_OR_APPEND)
                .setRAMBufferSizeMB(512);
        if (scalarQuantized) {
            config.setCodec(new Lucene912Codec() {
                @Override
                public KnnVectorsFormat getKnnVectorsFormatForField(String field) {
                    return new Lucene99HnswScalarQuantizedVectorsFormat();
                }
            });
        }
        try (IndexWriter writer = new IndexWriter(directory, config)) {
            if (writer.getDocStats().numDocs != from) {
                // a run stopped between Lucene's commit and the manifest's: the graph is rebuilt from the vectors
                writer.deleteAll();
                from = 0;
            }
            for (long row = from; row < to; row++) {
                Document d = new Document();
                d.add(new KnnFloatVectorField(FIELD, rows.row(row), similarity));
                d.add(new NumericDocValuesField(ROW, row));
                writer.addDocument(d);
            }
            writer.commit();
        }
        DirectoryReader old = reader;
        reader = DirectoryReader.open(directory);
        if (old != null) {
            old.close();
        }
    }

    /** The rows of the graph's approximate top {@code n} for a query. */
    long[] candidates(float[] query, int n) throws IOException {
        if (reader == null) {
            return new long[0];
        }
        IndexSearcher searcher = new IndexSearcher(reader);
        TopDocs top = searcher.search(new KnnFloatVectorQuery(FIELD, query, n), n);
        long[] rows = new long[top.scoreDocs.length];
        for (int i = 0; i < rows.length; i++) {
            ScoreDoc sd = top.scoreDocs[i];
            LeafReaderContext leaf = reader.leaves().get(ReaderUtil.subIndex(sd.doc, reader.leaves()));
            NumericDocValues values = leaf.reader().getNumericDocValues(ROW);
            if (values == null || !values.advanceExact(sd.doc - leaf.docBase)) {
                throw new IndexDamagedException("the HNSW graph's document " + sd.doc + " has no row");
            }
            rows[i] = values.longValue();
        }
        return rows;
    }

    @Override
    public void close() throws IOException {
        if (reader != null) {
            reader.close();
        }
        directory.close();
    }
}
