package dev.asof.export;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SequenceWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;

/**
 * Writes an export's items one at a time, as they are read, straight to the response: nothing is
 * held but the row being written. An item is a map from column to value (absent: an empty CSV
 * cell, no member in NDJSON); amounts are written as stored, scale included, never in exponent
 * form ({@code 19.990}, not {@code 1.999E+1}).
 */
public final class ExportRows {
    private static final CsvMapper CSV = dev.asof.core.JsonBuffers.shared(
            (CsvMapper) new CsvMapper().enable(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN));

    private final SequenceWriter writer;
    /** NDJSON ends every line, the last one too: written here once the writer is closed. */
    private final OutputStream ndjsonOut;
    private long rows;

    private ExportRows(SequenceWriter writer, OutputStream ndjsonOut) {
        this.writer = writer;
        this.ndjsonOut = ndjsonOut;
    }

    /** Rows of {@code columns} in {@code format} on {@code out}; the CSV header row is written with the first row, or on close. */
    public static ExportRows open(ExportFormat format, List<String> columns, ObjectMapper json, OutputStream out) {
        try {
            if (format == ExportFormat.CSV) {
                CsvSchema.Builder schema = CsvSchema.builder();
                columns.forEach(schema::addColumn);
                return new ExportRows(CSV.writer(schema.build().withHeader().withLineSeparator("\r\n"))
                        .without(SerializationFeature.FLUSH_AFTER_WRITE_VALUE).writeValues(out), null);
            }
            ObjectMapper ndjson = json.copy().enable(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN)
                    .disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            return new ExportRows(ndjson.writer().withRootValueSeparator("\n")
                    .without(SerializationFeature.FLUSH_AFTER_WRITE_VALUE).writeValues(out), out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public void write(Map<String, ?> row) {
        try {
            writer.write(row);
            rows++;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** How many rows were written. */
    public long rows() {
        return rows;
    }

    /** Ends the export: called only once every row is written (see {@link Exports}). */
    public void close() {
        try {
            writer.close();
            if (ndjsonOut != null && rows > 0) {
                ndjsonOut.write('\n');
                ndjsonOut.flush();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
