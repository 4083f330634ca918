using System.Text.Encodings.Web;
using System.Text.Json;

namespace OrleansImaging.Dicom.Json;

/// <summary>
/// One-call conversions between data sets and DICOM JSON text (PS3.18 Annex F). For streams and
/// large data sets use <see cref="DicomJsonWriter"/> and <see cref="DicomJsonReader"/> directly.
/// </summary>
public static class DicomJson
{
    /// <summary>Writes <paramref name="dataset"/> as a DICOM JSON object.</summary>
    /// <exception cref="DicomException">See <see cref="DicomJsonWriter.Write"/>.</exception>
    public static string Serialize(DicomDataset dataset, DicomJsonOptions? options = null)
    {
        options ??= DicomJsonOptions.Default;
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, CreateWriterOptions(options.Indented)))
            new DicomJsonWriter(options).Write(writer, dataset);
        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Writes <paramref name="dataset"/> as a DICOM JSON object to a stream, as UTF-8.</summary>
    /// <exception cref="DicomException">See <see cref="DicomJsonWriter.Write"/>.</exception>
    public static void Serialize(Stream utf8Json, DicomDataset dataset, DicomJsonOptions? options = null)
    {
        options ??= DicomJsonOptions.Default;
        using var writer = new Utf8JsonWriter(utf8Json, CreateWriterOptions(options.Indented));
        new DicomJsonWriter(options).Write(writer, dataset);
    }

    /// <summary>Reads a DICOM JSON object; BulkDataURI values are left empty (see <see cref="DicomJsonReader"/>).</summary>
    /// <exception cref="DicomException">The text is not a DICOM JSON object.</exception>
    public static DicomDataset Deserialize(string json, DicomJsonReaderOptions? options = null) =>
        new DicomJsonReader(options).Read(json).Dataset;

    /// <summary>
    /// The writer settings used here: text is written as UTF-8 without escaping non-ASCII characters
    /// (the HTML-safety escaping of the default encoder would make names unreadable and serves no
    /// purpose in a DICOM JSON document), and nesting deep enough for the deepest data set the reader accepts.
    /// </summary>
    public static JsonWriterOptions CreateWriterOptions(bool indented) => new()
    {
        Indented = indented,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        MaxDepth = 1024,
        SkipValidation = false,
    };
}
