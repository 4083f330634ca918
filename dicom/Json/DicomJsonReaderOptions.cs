namespace OrleansImaging.Dicom.Json;

/// <summary>How <see cref="DicomJsonReader"/> turns DICOM JSON into a data set.</summary>
public sealed class DicomJsonReaderOptions
{
    /// <summary>No bulk data resolution; nesting up to 64 sequences deep.</summary>
    public static DicomJsonReaderOptions Default { get; } = new();

    /// <summary>
    /// Turns a BulkDataURI into a reference the element will hold (the caller knows where its URIs
    /// point and how long the values are). When it is null, or returns null, the element is read with
    /// an empty value and the URI is listed in <see cref="DicomJsonReadResult.UnresolvedBulkData"/>,
    /// so the caller can fetch the value and replace the element later.
    /// </summary>
    /// <value>Null: every BulkDataURI is left unresolved.</value>
    public Func<DicomJsonBulkDataUri, DicomBulkDataReference?>? BulkDataResolver { get; init; }

    /// <summary>The deepest nesting of sequences accepted; deeper input is refused.</summary>
    /// <value>64, as for binary input.</value>
    public int MaxNestingDepth { get; init; } = 64;
}

/// <summary>A BulkDataURI met while reading DICOM JSON.</summary>
/// <param name="Owner">The data set (top level or item) the attribute belongs to.</param>
/// <param name="Tag">The attribute's tag.</param>
/// <param name="VR">The attribute's VR.</param>
/// <param name="Uri">The URI as written.</param>
/// <param name="Sequences">The sequences and items enclosing the attribute, outermost first.</param>
public sealed record DicomJsonBulkDataUri(DicomDataset Owner, DicomTag Tag, DicomVR VR, string Uri, IReadOnlyList<DicomJsonPathStep> Sequences);

/// <summary>What <see cref="DicomJsonReader"/> read.</summary>
/// <param name="Dataset">The data set.</param>
/// <param name="UnresolvedBulkData">BulkDataURIs that were not resolved; their elements are empty.</param>
public sealed record DicomJsonReadResult(DicomDataset Dataset, IReadOnlyList<DicomJsonBulkDataUri> UnresolvedBulkData);
